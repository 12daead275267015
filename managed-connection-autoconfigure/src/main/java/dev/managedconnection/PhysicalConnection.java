package dev.managedconnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;
import org.postgresql.PGNotification;
import org.postgresql.core.BaseConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open pgjdbc connection and what is known about it without a round trip.
 */
final class PhysicalConnection {

	private static final Logger logger = LoggerFactory.getLogger(ManagedConnection.class);

	private final Connection connection;

	private final BaseConnection pgConnection;

	private final int backendPid;

	private final String serverVersion;

	private final int serverVersionNumber;

	private volatile TransactionStatus observedStatus = TransactionStatus.IDLE;

	/** A copy: pgjdbc's own map changes as the connection's holder reads the server's answers. */
	private volatile Map<String, String> parameterStatuses;

	PhysicalConnection(Connection connection) throws SQLException {
		this.connection = connection;
		this.pgConnection = connection.unwrap(BaseConnection.class);
		this.backendPid = this.pgConnection.getBackendPID();
		this.serverVersion = connection.getMetaData().getDatabaseProductVersion();
		this.serverVersionNumber = this.pgConnection.getQueryExecutor().getServerVersionNum();
		this.parameterStatuses = copyParameterStatuses();
	}

	/**
	 * Copy the parameter statuses the server reported again, after a scope that may have
	 * changed them. Only while holding the connection: pgjdbc updates them as it reads.
	 */
	void rememberParameterStatuses() {
		this.parameterStatuses = copyParameterStatuses();
	}

	private Map<String, String> copyParameterStatuses() {
		return new TreeMap<>(this.pgConnection.getParameterStatuses());
	}

	/**
	 * Describe the server and session, from what was known when last remembered.
	 * @param connectionParameters the parameters the connection was opened with, masked
	 * @return the description
	 */
	ServerInfo serverInfo(Map<String, String> connectionParameters) {
		return new ServerInfo(this.serverVersion, this.serverVersionNumber, this.backendPid, this.parameterStatuses,
				connectionParameters);
	}

	Connection connection() {
		return this.connection;
	}

	BaseConnection pgConnection() {
		return this.pgConnection;
	}

	int backendPid() {
		return this.backendPid;
	}

	String serverVersion() {
		return this.serverVersion;
	}

	boolean isClosed() {
		return this.pgConnection.getQueryExecutor().isClosed();
	}

	/**
	 * Return the transaction status as pgjdbc last saw it; no round trip. For the thread that
	 * holds the connection: before 42.7.14 pgjdbc reads it under the lock that a running
	 * statement holds.
	 * @return the status, {@link TransactionStatus#UNKNOWN} once closed
	 */
	TransactionStatus status() {
		if (isClosed()) {
			return TransactionStatus.UNKNOWN;
		}
		TransactionStatus status = lastKnownStatus();
		this.observedStatus = status;
		return status;
	}

	/**
	 * Return the transaction status the holder saw last, from any thread without waiting: as
	 * of the holder's last statement, commit or rollback, or of the last acquisition or release.
	 * @return the status, {@link TransactionStatus#UNKNOWN} once closed
	 */
	TransactionStatus observedStatus() {
		return isClosed() ? TransactionStatus.UNKNOWN : this.observedStatus;
	}

	/**
	 * Return the transaction status pgjdbc saw last, even on a closed connection: whether a
	 * transaction was open when the connection broke.
	 * @return the status
	 */
	TransactionStatus lastKnownStatus() {
		return switch (this.pgConnection.getTransactionState()) {
			case IDLE -> TransactionStatus.IDLE;
			case OPEN -> TransactionStatus.IN_TRANSACTION;
			case FAILED -> TransactionStatus.IN_ERROR;
		};
	}

	/**
	 * Check the connection with a round trip.
	 * @param timeoutSeconds how long the check may take
	 * @return {@code null} when the connection answered, otherwise why it is not usable
	 */
	@Nullable SQLException validate(int timeoutSeconds) {
		try {
			return this.connection.isValid(timeoutSeconds) ? null
					: new SQLException("The connection did not answer a validation query within " + timeoutSeconds
							+ " s, or answered with an error", "08006");
		}
		catch (SQLException ex) {
			return ex;
		}
	}

	/**
	 * Commit, telling a commit whose outcome is unknown from one that failed.
	 * @throws CommitOutcomeUnknownException if the connection broke before the reply arrived
	 * @throws SQLException if the server refused the commit
	 */
	void commit() throws SQLException {
		try {
			this.connection.commit();
		}
		catch (SQLException ex) {
			if (BrokenConnections.isBroken(ex) || isClosed()) {
				throw new CommitOutcomeUnknownException(ex);
			}
			throw ex;
		}
		finally {
			status();
		}
	}

	/**
	 * Run {@code DISCARD ALL} (outside a transaction, as it must), then drop the notifications
	 * the driver queued before the {@code UNLISTEN} it implies, and the connection's warnings.
	 * @throws SQLException if the statement fails
	 */
	void discardAll() throws SQLException {
		executeOutsideTransaction("DISCARD ALL");
		this.pgConnection.getQueryExecutor().getNotifications();
		this.connection.clearWarnings();
	}

	/**
	 * Reset the session as {@code DISCARD ALL} does, but for its {@code UNLISTEN *}, in one round
	 * trip with the given statements: the managed connection's own channels stay listened on,
	 * without a gap in which a notification would be lost.
	 * @param listenAll the {@code LISTEN} statements of the channels to listen on, each starting
	 * with {@code ;}
	 * @throws SQLException if the statements fail
	 */
	void discardAllButListens(String listenAll) throws SQLException {
		// DISCARD ALL as PostgreSQL documents it, without UNLISTEN *; pgjdbc notices the
		// DEALLOCATE ALL and prepares its statements again.
		executeOutsideTransaction("CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; DEALLOCATE ALL; "
				+ "SELECT pg_advisory_unlock_all(); DISCARD PLANS; DISCARD TEMP; DISCARD SEQUENCES" + listenAll);
		this.connection.clearWarnings();
	}

	/**
	 * Run statements in autocommit mode, as session commands must. Runs after the transaction
	 * has ended: switching autocommit then costs no round trip.
	 * @param sql the statements
	 * @throws SQLException if they fail
	 */
	void executeOutsideTransaction(String sql) throws SQLException {
		boolean autoCommit = this.connection.getAutoCommit();
		if (!autoCommit) {
			this.connection.setAutoCommit(true);
		}
		try (Statement statement = this.connection.createStatement()) {
			statement.execute(sql);
		}
		finally {
			if (!autoCommit) {
				this.connection.setAutoCommit(false);
			}
		}
	}

	/**
	 * Return the notifications the driver has received, reading only what has arrived: no
	 * round trip.
	 * @return the notifications, or {@code null} when none arrived
	 * @throws SQLException if the connection broke
	 */
	PGNotification @Nullable [] notifications() throws SQLException {
		return this.pgConnection.getNotifications();
	}

	/**
	 * End the session at once, from any thread, without waiting for a statement in progress:
	 * the thread running it gets a broken-connection error and the server rolls back.
	 */
	void abort() {
		try {
			this.connection.abort(Runnable::run);
		}
		catch (SQLException ex) {
			// Already closed: nothing left to end.
		}
	}

	void cancel() throws SQLException {
		this.pgConnection.cancelQuery();
	}

	/**
	 * Close the connection. Closing cannot fail in a way that matters to anyone but the
	 * curious: the socket goes either way.
	 * @param failure where to attach a close failure, or {@code null} to log it at DEBUG
	 */
	void close(@Nullable Throwable failure) {
		try {
			this.connection.close();
		}
		catch (SQLException ex) {
			if (failure != null) {
				failure.addSuppressed(ex);
			}
			else {
				logger.debug("Could not close the connection to backend PID {} cleanly", this.backendPid, ex);
			}
		}
	}

}
