package com.example.ledger.bank;

import java.time.Instant;

/**
 * A transfer that {@link TransferService} applied: it is in the ledger exactly once.
 *
 * @param id the transfer id; a higher id was applied later
 * @param from the account debited
 * @param to the account credited
 * @param amount the amount in cents, always positive
 * @param createdAt when the transfer was applied
 */
public record Transfer(long id, long from, long to, long amount, Instant createdAt) {

	/**
	 * Return whether this transfer moved the given amount between the given accounts.
	 * @param from the account debited
	 * @param to the account credited
	 * @param amount the amount in cents
	 * @return whether it matches
	 */
	boolean matches(long from, long to, long amount) {
		return this.from == from && this.to == to && this.amount == amount;
	}

}
