package dev.managedconnection;

import java.sql.Connection;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How one exclusive scope on a {@link ManagedConnection} behaves. Only the outermost scope's
 * options apply: a nested scope joins the outer one.
 * <p>
 * The transaction characteristics ({@code readOnly}, {@code isolation}, {@code deferrable}; each
 * {@code null}, the default, for "not changed") are psycopg2's {@code set_session}, as psycopg2
 * 2.7 and later applies it: they belong to the scope's transactions only. Each transaction the
 * scope begins starts with {@code BEGIN ISOLATION LEVEL ..., READ ONLY, DEFERRABLE}, sent by the
 * managed connection in place of pgjdbc's plain {@code BEGIN}; the session's defaults are never
 * changed, so nothing reaches the next holder and the characteristics work behind PgBouncer in
 * transaction pooling mode. With autocommit on, each statement runs in a transaction of its own
 * that begins so and commits after it. Inside the scope {@code SHOW transaction_isolation},
 * {@code transaction_read_only} and {@code transaction_deferrable} show them.
 * <p>
 * The cost, only for scopes that set a characteristic: with autocommit off one more round trip
 * per transaction (the {@code BEGIN}, which pgjdbc otherwise sends in the same round trip as the
 * first statement); with autocommit on three round trips per statement instead of one
 * ({@code BEGIN}, the statement, {@code COMMIT}). A scope without characteristics pays nothing.
 * <p>
 * Where a transaction begins: before the first statement run on the scope's connection
 * ({@code execute...} on any kind of statement, inserting, updating, deleting or refreshing a
 * row of an updatable result set), before a {@code DatabaseMetaData} call that runs a query
 * and before a {@code setSavepoint}. Work done through the driver's own objects reached with
 * {@code unwrap} (the large object and {@code COPY} APIs) is not seen: run a statement first. A
 * holder's own {@code setReadOnly(true)} makes the transactions read-only as pgjdbc does (with
 * autocommit off); its {@code setTransactionIsolation} changes only the session default, which
 * a scope's isolation overrides. With autocommit on, a statement that controls the transaction
 * itself ({@code BEGIN}, {@code START TRANSACTION}, {@code COMMIT}, {@code ROLLBACK},
 * {@code PREPARE TRANSACTION}, ...) is sent as it is, and a transaction it begins gets the
 * characteristics with a {@code SET TRANSACTION} right after it; commands that cannot run in a
 * transaction block ({@code VACUUM}, {@code CREATE DATABASE}, ...) fail in such a scope.
 *
 * @param acquireTimeout how long to wait for the connection, or {@code null} for the configured default
 * @param commit whether to commit a transaction left open on a normal return (psycopg2's
 * {@code with connection:}) instead of rolling it back and failing
 * @param close whether to close the physical connection when the scope ends
 * @param readOnly whether the scope's transactions are {@code READ ONLY} ({@code true}) or
 * {@code READ WRITE} ({@code false}), or {@code null} for the session's default
 * @param isolation the isolation level of the scope's transactions, one of the
 * {@code Connection.TRANSACTION_*} constants other than {@code TRANSACTION_NONE}, or
 * {@code null} for the session's default
 * @param deferrable whether the scope's transactions are {@code DEFERRABLE} or
 * {@code NOT DEFERRABLE}, or {@code null} for the session's default; it matters only to
 * {@code SERIALIZABLE READ ONLY} transactions
 * @since 0.1.0
 */
public record ScopeOptions(@Nullable Duration acquireTimeout, boolean commit, boolean close,
		@Nullable Boolean readOnly, @Nullable Integer isolation, @Nullable Boolean deferrable) {

	/**
	 * The defaults: configured acquire timeout, no commit, keep the connection open, no
	 * transaction characteristics.
	 */
	public static final ScopeOptions DEFAULT = new ScopeOptions(null, false, false);

	/**
	 * Check the options.
	 * @throws IllegalArgumentException if the acquire timeout is not positive or the isolation
	 * is not a {@code Connection.TRANSACTION_*} level
	 */
	public ScopeOptions {
		if (acquireTimeout != null && (acquireTimeout.isNegative() || acquireTimeout.isZero())) {
			throw new IllegalArgumentException("'acquireTimeout' must be positive but was " + acquireTimeout);
		}
		if (isolation != null && TransactionCharacteristics.isolationName(isolation) == null) {
			throw new IllegalArgumentException("'isolation' must be Connection.TRANSACTION_READ_UNCOMMITTED ("
					+ Connection.TRANSACTION_READ_UNCOMMITTED + "), TRANSACTION_READ_COMMITTED ("
					+ Connection.TRANSACTION_READ_COMMITTED + "), TRANSACTION_REPEATABLE_READ ("
					+ Connection.TRANSACTION_REPEATABLE_READ + ") or TRANSACTION_SERIALIZABLE ("
					+ Connection.TRANSACTION_SERIALIZABLE + ") but was " + isolation);
		}
	}

	/**
	 * Create options without transaction characteristics.
	 * @param acquireTimeout how long to wait for the connection, or {@code null} for the
	 * configured default
	 * @param commit whether to commit a transaction left open on a normal return
	 * @param close whether to close the physical connection when the scope ends
	 */
	public ScopeOptions(@Nullable Duration acquireTimeout, boolean commit, boolean close) {
		this(acquireTimeout, commit, close, null, null, null);
	}

	/**
	 * Return a copy with the given commit option.
	 * @param commit whether to commit on a normal return
	 * @return the new options
	 */
	public ScopeOptions withCommit(boolean commit) {
		return new ScopeOptions(this.acquireTimeout, commit, this.close, this.readOnly, this.isolation,
				this.deferrable);
	}

	/**
	 * Return a copy with the given close option.
	 * @param close whether to close the physical connection at the end of the scope
	 * @return the new options
	 */
	public ScopeOptions withClose(boolean close) {
		return new ScopeOptions(this.acquireTimeout, this.commit, close, this.readOnly, this.isolation,
				this.deferrable);
	}

	/**
	 * Return a copy with the given acquire timeout.
	 * @param acquireTimeout the timeout, or {@code null} for the configured default
	 * @return the new options
	 */
	public ScopeOptions withAcquireTimeout(@Nullable Duration acquireTimeout) {
		return new ScopeOptions(acquireTimeout, this.commit, this.close, this.readOnly, this.isolation,
				this.deferrable);
	}

	/**
	 * Return a copy whose transactions are {@code READ ONLY} or {@code READ WRITE}: in a read-only
	 * scope a write fails with PostgreSQL's error (SQLState 25006).
	 * @param readOnly whether the scope's transactions are read-only
	 * @return the new options
	 */
	public ScopeOptions withReadOnly(boolean readOnly) {
		return new ScopeOptions(this.acquireTimeout, this.commit, this.close, readOnly, this.isolation,
				this.deferrable);
	}

	/**
	 * Return a copy whose transactions run at the given isolation level.
	 * @param isolation {@link Connection#TRANSACTION_READ_UNCOMMITTED},
	 * {@link Connection#TRANSACTION_READ_COMMITTED}, {@link Connection#TRANSACTION_REPEATABLE_READ}
	 * or {@link Connection#TRANSACTION_SERIALIZABLE}
	 * @return the new options
	 * @throws IllegalArgumentException for any other value
	 */
	public ScopeOptions withIsolation(int isolation) {
		return new ScopeOptions(this.acquireTimeout, this.commit, this.close, this.readOnly, isolation,
				this.deferrable);
	}

	/**
	 * Return a copy whose transactions are {@code DEFERRABLE} or {@code NOT DEFERRABLE}. A
	 * {@code SERIALIZABLE READ ONLY DEFERRABLE} transaction may wait at its start for a snapshot
	 * that cannot fail with a serialization error; other transactions ignore it.
	 * @param deferrable whether the scope's transactions are deferrable
	 * @return the new options
	 */
	public ScopeOptions withDeferrable(boolean deferrable) {
		return new ScopeOptions(this.acquireTimeout, this.commit, this.close, this.readOnly, this.isolation,
				deferrable);
	}

}
