package com.example.ledger.bank;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

import dev.managedconnection.annotation.ExclusiveConnection;
import org.jspecify.annotations.Nullable;

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
	 * The most transfers {@link #transfersOf} returns at once.
	 */
	public static final int MAX_HISTORY = 500;

	// Each side of the OR on its own, so that each reads backwards along its (account, id)
	// index and stops after :rows rows: a page costs the same at any depth of a long history,
	// where "from_account = :id OR to_account = :id ... ORDER BY id" would sort every older
	// transfer. A transfer never has the same account on both sides, so no row comes twice.
	private static final String PAGE = "SELECT " + TransferRows.COLUMNS + " FROM ("
			+ "(SELECT * FROM transfer WHERE from_account = :id AND id < :before ORDER BY id DESC LIMIT :rows) "
			+ "UNION ALL "
			+ "(SELECT * FROM transfer WHERE to_account = :id AND id < :before ORDER BY id DESC LIMIT :rows)"
			+ ") AS account_transfer ORDER BY id DESC LIMIT :rows";

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
	 * Return a page of the transfers into or out of an account, newest first: the newest ones,
	 * or the newest ones older than a given transfer. Passing the last id of one page as
	 * {@code before} reads the next, so the whole history can be read page by page; transfers
	 * applied meanwhile never shift a page, as offsets would.
	 * @param id the account id
	 * @param limit how many at most, 1 to {@value #MAX_HISTORY}
	 * @param before read only transfers with a lower id than this, or {@code null} for the
	 * newest; need not be a transfer of this account
	 * @return the page, or empty if there is no account with that id
	 * @throws InvalidInputException if the limit is out of range or {@code before} is not positive
	 */
	@ExclusiveConnection(commit = true)
	public Optional<TransferPage> transfersOf(long id, int limit, @Nullable Long before) {
		if (limit < 1 || limit > MAX_HISTORY) {
			throw new InvalidInputException("'limit' must be between 1 and " + MAX_HISTORY);
		}
		if (before != null && before < 1) {
			throw new InvalidInputException("'before' must be a transfer id, 1 or more");
		}
		boolean exists = this.jdbcClient.sql("SELECT EXISTS (SELECT 1 FROM account WHERE id = :id)")
			.param("id", id)
			.query(Boolean.class)
			.single();
		if (!exists) {
			return Optional.empty();
		}
		// One row more than the page tells whether there are older ones.
		List<Transfer> transfers = this.jdbcClient.sql(PAGE)
			.param("id", id)
			.param("before", (before != null) ? before : Long.MAX_VALUE)
			.param("rows", limit + 1)
			.query(TransferRows::map)
			.list();
		boolean hasOlder = transfers.size() > limit;
		return Optional.of(new TransferPage(hasOlder ? transfers.subList(0, limit) : transfers, hasOlder));
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
