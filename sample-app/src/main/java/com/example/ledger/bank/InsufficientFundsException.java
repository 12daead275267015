package com.example.ledger.bank;

/**
 * Thrown when the debited account cannot cover a transfer. Nothing is written.
 */
public class InsufficientFundsException extends RuntimeException {

	/**
	 * Create a new exception.
	 * @param accountId the account that would be debited
	 * @param amount the amount asked for, in cents
	 */
	public InsufficientFundsException(long accountId, long amount) {
		super("Account " + accountId + " cannot cover a transfer of " + amount + " cents");
	}

}
