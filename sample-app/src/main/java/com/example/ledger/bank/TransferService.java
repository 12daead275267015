package com.example.ledger.bank;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import dev.managedconnection.CommitOutcomeUnknownException;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.annotation.ExclusiveConnection;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Service;

/**
 * Moves money between accounts in plain JDBC on the held connection, committing explicitly.
 * <p>
 * {@link #transfer} is one {@link ExclusiveConnection @ExclusiveConnection} scope without
 * {@code commit}: it takes the connection from {@link ManagedConnection#currentConnection()} and
 * ends every transaction it starts itself, with {@code commit()} or {@code rollback()}: a refused
 * transfer is rolled back before the refusal is thrown, so it writes nothing. (Should anything
 * else throw with the transaction open, the scope rolls it back and logs that it had to.)
 * <p>
 * An idempotency key is stored with the transfer it applied, under a unique constraint: a retry
 * with the same key and the same transfer answers with the first result and changes nothing, so
 * a client that saw no answer (a timeout, or a {@link CommitOutcomeUnknownException}) can
 * safely send the request again. Only applied transfers are remembered; a refused request wrote
 * nothing, so its retry is judged afresh.
 * <p>
 * Each applied transfer is announced on the {@link TransferNotifications#CHANNEL} channel in its
 * own transaction; a replay is not announced again.
 */
@Service
public class TransferService {

	/**
	 * The longest idempotency key accepted, in characters.
	 */
	public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;

	private static final String SELECT_BY_KEY = "SELECT " + TransferRows.COLUMNS
			+ " FROM transfer WHERE idempotency_key = ?";

	// Both rows locked in id order, so two transfers between the same accounts in opposite
	// directions from different application instances cannot deadlock.
	private static final String LOCK_ACCOUNTS = "SELECT id, balance FROM account WHERE id IN (?, ?) ORDER BY id FOR UPDATE";

	// ON CONFLICT covers another application instance committing the same key after our lookup:
	// the insert then returns no row instead of failing the transaction.
	private static final String INSERT = "INSERT INTO transfer (from_account, to_account, amount, idempotency_key, backend_pid) "
			+ "VALUES (?, ?, ?, ?, pg_backend_pid()) ON CONFLICT (idempotency_key) DO NOTHING RETURNING "
			+ TransferRows.COLUMNS;

	private static final String ADD_TO_BALANCE = "UPDATE account SET balance = balance + ? WHERE id = ?";

	private static final String NOTIFY = "SELECT pg_notify('" + TransferNotifications.CHANNEL + "', ?)";

	private final ManagedConnection managedConnection;

	public TransferService(ManagedConnection managedConnection) {
		this.managedConnection = managedConnection;
	}

	/**
	 * Move an amount from one account to another, at most once per idempotency key.
	 * @param from the account to debit
	 * @param to the account to credit, not {@code from}
	 * @param amount the amount in cents, 1 to {@link Account#MAX_BALANCE}
	 * @param idempotencyKey 1 to {@value #MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters
	 * naming this operation, or {@code null}
	 * @return the transfer, and whether an earlier request with the same key applied it
	 * @throws InvalidInputException if the input is out of range
	 * @throws UnknownAccountException if either account does not exist
	 * @throws InsufficientFundsException if {@code from} cannot cover the amount
	 * @throws BalanceLimitExceededException if {@code to} would exceed {@link Account#MAX_BALANCE}
	 * @throws IdempotencyKeyReusedException if the key already applied a different transfer
	 * @throws CommitOutcomeUnknownException if the connection broke while committing, so the
	 * transfer may or may not have been applied; retry with the same key to find out
	 * @throws SQLException if the database fails otherwise; nothing was applied
	 */
	@ExclusiveConnection
	public TransferResult transfer(long from, long to, long amount, @Nullable String idempotencyKey) throws SQLException {
		validate(from, to, amount, idempotencyKey);
		Connection connection = this.managedConnection.currentConnection();
		if (idempotencyKey != null) {
			Transfer earlier = findByKey(connection, idempotencyKey);
			if (earlier != null) {
				connection.rollback();
				return replay(earlier, from, to, amount);
			}
		}
		Balances balances = lockAccounts(connection, from, to);
		if (balances.from() < amount) {
			throw refuse(connection, new InsufficientFundsException(from, amount));
		}
		if (balances.to() > Account.MAX_BALANCE - amount) {
			throw refuse(connection, new BalanceLimitExceededException(to, amount));
		}
		Transfer transfer = insert(connection, from, to, amount, idempotencyKey);
		if (transfer == null) {
			connection.rollback();
			return replayAfterConflict(connection, idempotencyKey, from, to, amount);
		}
		addToBalance(connection, from, -amount);
		addToBalance(connection, to, amount);
		notifyApplied(connection, transfer);
		connection.commit();
		return new TransferResult(transfer, false);
	}

	private static void validate(long from, long to, long amount, @Nullable String idempotencyKey) {
		if (amount < 1 || amount > Account.MAX_BALANCE) {
			throw new InvalidInputException("'amount' must be between 1 and " + Account.MAX_BALANCE + " cents");
		}
		if (from == to) {
			throw new InvalidInputException("'from' and 'to' must be different accounts");
		}
		if (idempotencyKey != null && !isValidKey(idempotencyKey)) {
			throw new InvalidInputException("'Idempotency-Key' must be 1 to " + MAX_IDEMPOTENCY_KEY_LENGTH
					+ " visible ASCII characters");
		}
	}

	private static boolean isValidKey(String key) {
		return !key.isEmpty() && key.length() <= MAX_IDEMPOTENCY_KEY_LENGTH
				&& key.chars().allMatch((c) -> c >= 0x21 && c <= 0x7e);
	}

	private static @Nullable Transfer findByKey(Connection connection, String idempotencyKey) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(SELECT_BY_KEY)) {
			statement.setString(1, idempotencyKey);
			try (ResultSet row = statement.executeQuery()) {
				return row.next() ? TransferRows.map(row, 1) : null;
			}
		}
	}

	private static TransferResult replay(Transfer earlier, long from, long to, long amount) {
		if (!earlier.matches(from, to, amount)) {
			throw new IdempotencyKeyReusedException(earlier);
		}
		return new TransferResult(earlier, true);
	}

	private static TransferResult replayAfterConflict(Connection connection, @Nullable String idempotencyKey, long from,
			long to, long amount) throws SQLException {
		// Only a key can conflict: the insert has no other unique column.
		Transfer earlier = (idempotencyKey != null) ? findByKey(connection, idempotencyKey) : null;
		connection.rollback();
		if (earlier == null) {
			throw new SQLException("Transfer insert reported a conflict but no transfer holds its idempotency key");
		}
		return replay(earlier, from, to, amount);
	}

	private static Balances lockAccounts(Connection connection, long from, long to) throws SQLException {
		Long fromBalance = null;
		Long toBalance = null;
		try (PreparedStatement statement = connection.prepareStatement(LOCK_ACCOUNTS)) {
			statement.setLong(1, from);
			statement.setLong(2, to);
			try (ResultSet row = statement.executeQuery()) {
				while (row.next()) {
					if (row.getLong("id") == from) {
						fromBalance = row.getLong("balance");
					}
					else {
						toBalance = row.getLong("balance");
					}
				}
			}
		}
		if (fromBalance == null) {
			throw refuse(connection, new UnknownAccountException(from));
		}
		if (toBalance == null) {
			throw refuse(connection, new UnknownAccountException(to));
		}
		return new Balances(fromBalance, toBalance);
	}

	/**
	 * Roll back before refusing: the refusal is an answer, not a failure, and nothing it
	 * refuses may be written.
	 */
	private static RuntimeException refuse(Connection connection, RuntimeException refusal) throws SQLException {
		connection.rollback();
		return refusal;
	}

	private static @Nullable Transfer insert(Connection connection, long from, long to, long amount,
			@Nullable String idempotencyKey) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(INSERT)) {
			statement.setLong(1, from);
			statement.setLong(2, to);
			statement.setLong(3, amount);
			statement.setString(4, idempotencyKey);
			try (ResultSet row = statement.executeQuery()) {
				return row.next() ? TransferRows.map(row, 1) : null;
			}
		}
	}

	private static void addToBalance(Connection connection, long accountId, long delta) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(ADD_TO_BALANCE)) {
			statement.setLong(1, delta);
			statement.setLong(2, accountId);
			statement.executeUpdate();
		}
	}

	/**
	 * Announce the transfer on {@link TransferNotifications#CHANNEL}. Sent inside the
	 * transaction, PostgreSQL delivers it only when the commit succeeds; a replay never gets
	 * here, so each transfer is announced once.
	 */
	private static void notifyApplied(Connection connection, Transfer transfer) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(NOTIFY)) {
			statement.setString(1, TransferNotifications.payload(transfer));
			statement.execute();
		}
	}

	/**
	 * The balances of both accounts of a transfer, read under lock.
	 */
	private record Balances(long from, long to) {
	}

}
