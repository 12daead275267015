package dev.managedconnection;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the physical connection of a {@link ManagedConnection}: hands it out ready for use (as it
 * is when used moments ago, validated with a round trip after longer idleness, or newly opened
 * before a deadline), and closes or aborts it. Only the lock's holder calls the methods that
 * open, validate or close; any thread may read {@link #current()}.
 */
final class ConnectionSource {

	private static final Logger logger = LoggerFactory.getLogger(ManagedConnection.class);

	private final Object owner;

	private final Connector connector;

	private final boolean autoCommit;

	private final long validationIdleNanos;

	private final int validationTimeoutSeconds;

	private final MetricsTracker metricsTracker;

	private volatile @Nullable PhysicalConnection physical;

	private volatile @Nullable SQLException lastConnectError;

	private volatile boolean closeRequested;

	private long lastUsedNanos;

	private final Notifications notifications;

	ConnectionSource(Object owner, ManagedConnectionSettings settings, MetricsTracker metricsTracker,
			Notifications notifications) {
		this.owner = owner;
		this.notifications = notifications;
		this.connector = new Connector(settings);
		this.autoCommit = settings.autoCommit();
		this.validationIdleNanos = settings.validationIdleThreshold().toNanos();
		this.validationTimeoutSeconds = validationTimeoutSeconds(settings);
		this.metricsTracker = metricsTracker;
	}

	/**
	 * Return how long a validation round trip may take, in the whole seconds JDBC's
	 * {@code isValid} takes.
	 * @param settings the settings
	 * @return the timeout in seconds, at least one
	 */
	static int validationTimeoutSeconds(ManagedConnectionSettings settings) {
		return (int) Math.max(1, (settings.validationTimeout().toMillis() + 999) / 1000);
	}

	/**
	 * Return the connection if it is open and was used moments ago, so that it may be handed out
	 * without a round trip.
	 * @param now the current {@link System#nanoTime()}
	 * @return the connection, or {@code null} when it must be validated or opened first
	 */
	@Nullable PhysicalConnection fresh(long now) {
		PhysicalConnection current = this.physical;
		return (current != null && !current.isClosed() && now - this.lastUsedNanos <= this.validationIdleNanos)
				? current : null;
	}

	/**
	 * Return the connection ready for use: validated after idleness, or newly opened.
	 * @param now the current {@link System#nanoTime()}
	 * @param deadlineNanos when to give up opening a connection
	 * @return the connection
	 * @throws SQLException if it cannot be opened before the deadline
	 */
	PhysicalConnection ready(long now, long deadlineNanos) throws SQLException {
		PhysicalConnection current = this.physical;
		if (current != null && !current.isClosed()) {
			if (now - this.lastUsedNanos <= this.validationIdleNanos) {
				return current;
			}
			SQLException invalid = current.validate(this.validationTimeoutSeconds);
			if (invalid == null) {
				return current;
			}
			logger.debug("Validation failed for {}; opening a new connection", this.owner, invalid);
		}
		boolean reconnect = current != null;
		close();
		PhysicalConnection opened = open(deadlineNanos);
		if (reconnect) {
			this.metricsTracker.reconnected();
		}
		return opened;
	}

	private PhysicalConnection open(long deadlineNanos) throws SQLException {
		PhysicalConnection opened;
		try {
			opened = this.connector.connect(deadlineNanos, this.lastConnectError,
					(failure) -> this.lastConnectError = failure);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SQLException("Interrupted while opening a connection for " + this.owner
					+ "; the interrupt flag is kept", ex);
		}
		catch (SQLException ex) {
			if (ex instanceof SQLNonTransientConnectionException) {
				throw ex;
			}
			this.metricsTracker.timedOut();
			throw new AcquireTimeoutException("Could not open a connection for " + this.owner
					+ " before the acquire timeout; last error: " + ex.getMessage(), ex);
		}
		this.lastConnectError = null;
		try {
			opened.connection().setAutoCommit(this.autoCommit);
			if (this.notifications.isActive()) {
				// Before anyone uses it: a notification sent from now on must not be missed.
				this.notifications.opened(opened);
			}
		}
		catch (SQLException ex) {
			opened.close(ex);
			throw ex;
		}
		this.physical = opened;
		this.lastUsedNanos = System.nanoTime();
		logger.debug("Opened {} (backend PID {})", this.owner, opened.backendPid());
		return opened;
	}

	/**
	 * Describe the server and session of the open connection, without waiting for its holder.
	 * @return the description, with empty server values when no connection is open
	 */
	ServerInfo serverInfo() {
		PhysicalConnection current = this.physical;
		if (current != null && !current.isClosed()) {
			return current.serverInfo(this.connector.connectionParameters());
		}
		return new ServerInfo("", 0, -1, Map.of(), this.connector.connectionParameters());
	}

	/**
	 * Return the open connection, if any, without waiting for its holder.
	 * @return the connection, or {@code null}
	 */
	@Nullable PhysicalConnection current() {
		return this.physical;
	}

	/**
	 * Return the last error opening a connection since the last one opened.
	 * @return the error, or {@code null}
	 */
	@Nullable SQLException lastConnectError() {
		return this.lastConnectError;
	}

	/**
	 * Record that the holder has just finished with the connection.
	 * @param now the current {@link System#nanoTime()}
	 */
	void markUsed(long now) {
		this.lastUsedNanos = now;
	}

	/**
	 * Ask for the connection to be closed when its holder's scope ends.
	 */
	void requestClose() {
		this.closeRequested = true;
	}

	boolean isCloseRequested() {
		return this.closeRequested;
	}

	/**
	 * Close the connection once no thread holds it, waiting up to the timeout for the holder;
	 * past that, or on the holder's own thread, it closes as the holder's scope ends.
	 */
	void closeWhenFree(ConnectionLock lock, long timeoutNanos) {
		if (lock.isHeldByCurrentThread()) {
			requestClose();
			return;
		}
		boolean locked;
		try {
			locked = lock.tryLock(timeoutNanos);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			locked = false;
		}
		if (!locked) {
			requestClose();
			return;
		}
		try {
			close();
		}
		finally {
			lock.unlock();
		}
	}

	/**
	 * Close as the application stops, without waiting for a holder: a free connection closes
	 * now, the calling holder's as its scope ends, another holder's under it.
	 */
	void closeWithoutWaiting(ConnectionLock lock) {
		if (lock.isHeldByCurrentThread()) {
			requestClose();
		}
		else if (lock.tryLock()) {
			try {
				close();
			}
			finally {
				lock.unlock();
			}
		}
		else {
			// No waiting for work that nothing will acknowledge any more.
			abortUnderHolder();
		}
	}

	/**
	 * Close the connection, if one is open; the next use opens a new one.
	 */
	void close() {
		PhysicalConnection current = this.physical;
		this.closeRequested = false;
		if (current != null) {
			this.physical = null;
			this.notifications.sessionLost();
			current.close(null);
		}
	}

	/**
	 * End the session of a connection another thread holds, for good: its running statement is
	 * cancelled (the server notices a closed socket only when it next talks to the client) and
	 * the connection aborted, so the holder's next call fails at once and the server rolls back.
	 * The holder's scope then ends as after any broken connection.
	 */
	void abortUnderHolder() {
		this.closeRequested = true;
		PhysicalConnection current = this.physical;
		if (current == null) {
			return;
		}
		try {
			current.cancel();
		}
		catch (SQLException ex) {
			logger.debug("Could not cancel the statement on {} as it closed", this.owner, ex);
		}
		current.abort();
		logger.debug("Aborted the physical connection of {} (backend PID {}) under its holder", this.owner,
				current.backendPid());
	}

	/**
	 * End the connection at once, without waiting for a statement in progress; the server
	 * rolls back what was open.
	 */
	void abort() {
		PhysicalConnection current = this.physical;
		this.closeRequested = false;
		if (current != null) {
			this.physical = null;
			this.notifications.sessionLost();
			current.abort();
		}
	}

}
