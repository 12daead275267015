package com.example.ledger.bank;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

import dev.managedconnection.annotation.ExclusiveConnection;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Opens accounts and reads the ledger with Spring's {@link JdbcClient}.
 * <p>
 * Each method is one {@link ExclusiveConnection @ExclusiveConnection} scope with
 * {@code commit = true}: the {@link JdbcClient} finds the held connection through the starter's
 * {@code DataSource} view, and the scope commits when the method returns normally and rolls back
 * when it throws. Reads commit too, which simply ends the transaction their first statement
 * opened. Lookups answer with an empty {@link Optional} rather than throwing, so the caller
 * decides what a missing row means (404 for the resource in the URI).
 */
@Service
public class AccountService {

	/**
	 * The most transfers {@link #transfersOf(long, int)} returns at once.
	 */
	public static final int MAX_HISTORY = 500;

	private final JdbcClient jdbcClient;

	public AccountService(JdbcClient jdbcClient) {
		this.jdbcClient = jdbcClient;
	}

	/**
	 * Open an account.
	 * @param owner who owns it: 1 to {@value Account#MAX_OWNER_LENGTH} characters, not blank,
	 * no control characters
	 * @param balance the opening balance in cents, 0 to {@link Account#MAX_BALANCE}
	 * @return the new account
	 * @throws InvalidInputException if the owner or balance is out of range
	 */
	@ExclusiveConnection(commit = true)
	public Account open(String owner, long balance) {
		validateOwner(owner);
		if (balance < 0 || balance > Account.MAX_BALANCE) {
			throw new InvalidInputException("'balance' must be between 0 and " + Account.MAX_BALANCE + " cents");
		}
		return this.jdbcClient.sql("INSERT INTO account (owner, balance) VALUES (:owner, :balance) RETURNING id, owner, balance")
			.param("owner", owner)
			.param("balance", balance)
			.query(Account.class)
			.single();
	}

	private static void validateOwner(String owner) {
		if (owner.isBlank() || owner.length() > Account.MAX_OWNER_LENGTH) {
			throw new InvalidInputException("'owner' must be 1 to " + Account.MAX_OWNER_LENGTH + " characters, not blank");
		}
		if (owner.chars().anyMatch(Character::isISOControl)) {
			throw new InvalidInputException("'owner' must not contain control characters");
		}
	}

	/**
	 * Return an account.
	 * @param id the account id
	 * @return the account, or empty if there is none with that id
	 */
	@ExclusiveConnection(commit = true)
	public Optional<Account> find(long id) {
		return this.jdbcClient.sql("SELECT id, owner, balance FROM account WHERE id = :id")
			.param("id", id)
			.query(Account.class)
			.optional();
	}

	/**
	 * Return the newest transfers into or out of an account, newest first.
	 * @param id the account id
	 * @param limit how many at most, 1 to {@value #MAX_HISTORY}
	 * @return the transfers, or empty if there is no account with that id
	 * @throws InvalidInputException if the limit is out of range
	 */
	@ExclusiveConnection(commit = true)
	public Optional<List<Transfer>> transfersOf(long id, int limit) {
		if (limit < 1 || limit > MAX_HISTORY) {
			throw new InvalidInputException("'limit' must be between 1 and " + MAX_HISTORY);
		}
		boolean exists = this.jdbcClient.sql("SELECT EXISTS (SELECT 1 FROM account WHERE id = :id)")
			.param("id", id)
			.query(Boolean.class)
			.single();
		if (!exists) {
			return Optional.empty();
		}
		return Optional.of(this.jdbcClient
			.sql("SELECT " + TransferRows.COLUMNS + " FROM transfer WHERE from_account = :id OR to_account = :id "
					+ "ORDER BY id DESC LIMIT :limit")
			.param("id", id)
			.param("limit", limit)
			.query(TransferRows::map)
			.list());
	}

	/**
	 * Return a transfer.
	 * @param id the transfer id
	 * @return the transfer, or empty if there is none with that id
	 */
	@ExclusiveConnection(commit = true)
	public Optional<Transfer> findTransfer(long id) {
		return this.jdbcClient.sql("SELECT " + TransferRows.COLUMNS + " FROM transfer WHERE id = :id")
			.param("id", id)
			.query(TransferRows::map)
			.optional();
	}

	/**
	 * Return the sum of all balances, which transfers never change.
	 * @return the total in cents
	 */
	@ExclusiveConnection(commit = true)
	public BigInteger total() {
		// sum(bigint) is numeric in PostgreSQL, so the total cannot overflow however many accounts there are.
		return this.jdbcClient.sql("SELECT coalesce(sum(balance), 0) FROM account")
			.query(BigDecimal.class)
			.single()
			.toBigIntegerExact();
	}

}
