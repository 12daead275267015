package dev.managedconnection;

import java.lang.reflect.Method;
import java.sql.SQLException;

import org.jspecify.annotations.Nullable;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * Begins the transactions of a scope with its {@link TransactionCharacteristics} (read-only,
 * isolation, deferrable), where pgjdbc would begin them with a plain {@code BEGIN}: before a
 * statement, a savepoint or a catalog query runs with autocommit off, and around each statement
 * run with autocommit on.
 */
final class CharacteristicTransactions {

	private final ManagedConnection owner;

	private final ConnectionHandle handle;

	private final PhysicalConnection physical;

	private final TransactionCharacteristics characteristics;

	CharacteristicTransactions(ManagedConnection owner, ConnectionHandle handle, PhysicalConnection physical,
			TransactionCharacteristics characteristics) {
		this.owner = owner;
		this.handle = handle;
		this.physical = physical;
		this.characteristics = characteristics;
	}

	/**
	 * Make sure that, with autocommit off, a transaction is open and began with the scope's
	 * characteristics: before a call that may run SQL and would otherwise let pgjdbc begin one
	 * with its plain {@code BEGIN}. One round trip when no transaction is open; none otherwise.
	 * @throws SQLException if the transaction cannot be begun
	 */
	void beginIfIdle() throws SQLException {
		BaseConnection pgConnection = this.physical.pgConnection();
		if (!pgConnection.getAutoCommit() && pgConnection.getTransactionState() == TransactionState.IDLE) {
			this.handle.send(this.characteristics.begin(pgConnection.hintReadOnly()));
		}
	}

	/**
	 * Run a statement in a transaction with the scope's characteristics. With autocommit off it
	 * begins the transaction if none is open (the statement then runs in it, and the holder ends
	 * it); with autocommit on it runs the statement in a transaction of its own, committed after
	 * it or rolled back when it fails, unless the SQL controls the transaction itself.
	 * @param target the driver's statement or result set
	 * @param method the method that runs the statement
	 * @param args its arguments
	 * @param sql the statement's SQL, or {@code null} if unknown
	 * @return what the method returned
	 * @throws Throwable what it threw, or why the transaction could not be begun or committed
	 */
	@Nullable Object invokeInTransaction(Object target, Method method, @Nullable Object[] args, @Nullable String sql)
			throws Throwable {
		TransactionCharacteristics characteristics = this.characteristics;
		BaseConnection pgConnection = this.physical.pgConnection();
		if (pgConnection.getTransactionState() != TransactionState.IDLE) {
			return this.handle.invokeOn(target, method, args);
		}
		if (!pgConnection.getAutoCommit()) {
			this.handle.send(characteristics.begin(pgConnection.hintReadOnly()));
			return this.handle.invokeOn(target, method, args);
		}
		if (sql != null && TransactionCharacteristics.isTransactionControl(sql)) {
			Object result = this.handle.invokeOn(target, method, args);
			if (pgConnection.getTransactionState() == TransactionState.OPEN) {
				// The holder's own BEGIN: no query has run in it yet, so SET TRANSACTION still may.
				this.handle.send(characteristics.set(false));
			}
			return result;
		}
		this.handle.send(characteristics.begin(false));
		Object result;
		try {
			result = this.handle.invokeOn(target, method, args);
		}
		catch (Throwable ex) {
			rollBackOwnTransaction(ex);
			throw ex;
		}
		TransactionState state = pgConnection.getTransactionState();
		if (state == TransactionState.OPEN) {
			this.handle.send("COMMIT");
		}
		else if (state == TransactionState.FAILED) {
			SQLException failed = new SQLException("The transaction that ran this statement on " + this.owner
					+ " failed on the server, and was rolled back", "25P02");
			rollBackOwnTransaction(failed);
			throw failed;
		}
		return result;
	}

	/**
	 * Roll back the transaction of one statement run with autocommit on, after it failed.
	 */
	private void rollBackOwnTransaction(Throwable failure) {
		if (this.handle.sawError() || this.physical.isClosed()
				|| this.physical.lastKnownStatus() == TransactionStatus.IDLE) {
			return;
		}
		try {
			this.handle.send("ROLLBACK");
		}
		catch (SQLException | RuntimeException ex) {
			failure.addSuppressed(ex);
		}
	}

}
