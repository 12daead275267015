package dev.managedconnection;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

/**
 * Thread-safe, exclusive access for many threads to one shared PostgreSQL connection.
 * <p>
 * One thread at a time holds the connection, inside a scope ({@link #execute} or
 * {@link #acquire}/{@link #release}); the others wait in arrival order (after at most
 * {@code bypassLimit} callers that found it free) up to the acquire timeout.
 * The connection opens on first use and reopens when it was closed or broke; a connection idle
 * for longer than the validation threshold is checked with a round trip before it is handed out.
 * On release a transaction left open is rolled back: after a normal return that is an error
 * ({@link OpenTransactionException}), after an exception the caller's exception goes on unchanged.
 * JDBC settings a holder changed are restored and statements it left open are closed, so the
 * next holder starts clean.
 * <p>
 * Each scope reads {@code lock → ready connection → begin scope → run → end scope → unlock}: the
 * {@link ConnectionLock} orders the threads, the {@link ConnectionSource} hands out a connection
 * that is ready, the {@link Scope} keeps what the holder has, and {@link ScopeEnd} ends it.
 *
 * <pre class="code">
 * try (ManagedConnection managed = ManagedConnection.builder().url("jdbc:postgresql://localhost/app").build()) {
 *     int one = managed.execute((connection) -&gt; {
 *         try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SELECT 1")) {
 *             rs.next();
 *             connection.commit();
 *             return rs.getInt(1);
 *         }
 *     });
 * }
 * </pre>
 *
 * @since 0.1.0
 */
public final class ManagedConnection implements AutoCloseable {

	private final ManagedConnectionSettings settings;

	private final String maskedUrl;

	private final ScopeLifecycle scopes;

	private final ConnectionLock lock;

	private final ConnectionSource source;

	private final Scope scope;

	private final ManagedDataSource dataSource;

	private final SessionStatements sessionStatements = new SessionStatements();

	private ManagedConnection(ManagedConnectionSettings settings, MetricsTracker metricsTracker) {
		this.settings = settings;
		this.maskedUrl = Secrets.maskUrl(settings.url());
		this.scopes = new ScopeLifecycle(this, settings, metricsTracker);
		this.lock = this.scopes.lock();
		this.source = this.scopes.source();
		this.scope = this.scopes.scope();
		this.dataSource = new ManagedDataSource(this, this.scopes);
	}

	static ManagedConnection of(ManagedConnectionSettings settings, MetricsTracker metricsTracker) {
		ManagedConnection connection = new ManagedConnection(settings, metricsTracker);
		metricsTracker.built(connection);
		return connection;
	}

	/**
	 * Start building a managed connection.
	 * @return a new builder
	 */
	public static ManagedConnectionBuilder builder() {
		return new ManagedConnectionBuilder();
	}

	/**
	 * Return whether an error means that the physical connection it came from is broken and
	 * must not be used again: SQLState class 08 (connection exception), 57P01-57P03 (the server
	 * shut down or is starting) or 25P03 (idle-in-transaction timeout), in the error, its causes or
	 * its chained exceptions. Retry such work on a new connection; an ordinary SQL error (a
	 * unique violation, say) is no reason to.
	 * @param failure the error
	 * @return whether the connection broke
	 */
	public static boolean isBrokenConnection(Throwable failure) {
		return BrokenConnections.isBroken(failure);
	}

	/**
	 * Return the settings this managed connection was built with.
	 * @return the settings
	 */
	public ManagedConnectionSettings settings() {
		return this.settings;
	}

	/**
	 * Run the action holding the connection exclusively, with the default scope options.
	 * @param <T> the result type
	 * @param action the work to do
	 * @return the action's result
	 * @throws SQLException if the connection cannot be acquired or the action fails
	 * @throws OpenTransactionException if the action returned with a transaction open
	 * @see #execute(ScopeOptions, ConnectionCallback)
	 */
	public <T extends @Nullable Object> T execute(ConnectionCallback<T> action) throws SQLException {
		return execute(ScopeOptions.DEFAULT, action);
	}

	/**
	 * Run the action holding the connection exclusively. Called from a thread that already
	 * holds it, the action joins the outer scope and the options are ignored.
	 * @param <T> the result type
	 * @param options how the scope behaves
	 * @param action the work to do
	 * @return the action's result
	 * @throws SQLException if the connection cannot be acquired, the action fails, or (with
	 * {@code commit}) the commit fails
	 * @throws OpenTransactionException if the action returned with a transaction open and
	 * {@code commit} is off
	 * @throws IllegalStateException if the action called {@link #acquire} more often than
	 * {@link #release}; the scope has been ended and rolled back
	 */
	public <T extends @Nullable Object> T execute(ScopeOptions options, ConnectionCallback<T> action)
			throws SQLException {
		if (this.lock.isHeldByCurrentThread()) {
			// Joins the scope this thread holds: nothing to count, so nothing a deep stack can
			// leave half-counted.
			return action.doInConnection(currentConnection());
		}
		this.scopes.enter(options, false);
		try {
			T result;
			try {
				result = action.doInConnection(currentConnection());
			}
			catch (Throwable ex) {
				this.scopes.endOwnScope(ex);
				throw ex;
			}
			this.scopes.endOwnScope(null);
			return result;
		}
		finally {
			if (this.lock.isHeldByCurrentThread()) {
				// Only when ending the scope itself failed, say for lack of stack: never keep the lock.
				this.scopes.abandonScope();
			}
		}
	}

	/**
	 * Enter a scope: wait for the connection and open or verify it. Inside the scope
	 * {@link #currentConnection()} returns the connection; the scope ends with the matching
	 * {@link #release()} or {@link #releaseAfterFailure(Throwable)}. Called from a thread that
	 * already holds the connection, it joins the outer scope. Prefer {@link #execute}; this pair
	 * is for frameworks that wrap a call.
	 * @param options how the scope behaves
	 * @throws SQLException if the connection cannot be acquired in time or cannot be opened
	 */
	public void acquire(ScopeOptions options) throws SQLException {
		this.scopes.enter(options, false);
	}

	/**
	 * Leave the innermost scope of the calling thread after a normal return. Leaving the
	 * outermost scope ends the transaction (commit with the {@code commit} option, otherwise a
	 * rollback and an {@link OpenTransactionException} if one is open) and releases the connection.
	 * @throws SQLException if committing or cleaning up fails; the connection is released anyway
	 * @throws OpenTransactionException if a transaction was left open
	 * @throws IllegalStateException if the calling thread holds no scope
	 */
	public void release() throws SQLException {
		this.scopes.release();
	}

	/**
	 * Leave the innermost scope of the calling thread after the caller threw. Leaving the
	 * outermost scope rolls back an open transaction, closes a broken connection and releases
	 * it. Never throws: problems are added to the failure as suppressed exceptions.
	 * @param failure what the caller threw
	 */
	public void releaseAfterFailure(Throwable failure) {
		this.scopes.releaseAfterFailure(failure);
	}

	/**
	 * Return the connection held by the calling thread.
	 * @return the handle of the current scope
	 * @throws IllegalStateException if the calling thread holds no scope
	 */
	public Connection currentConnection() {
		this.scopes.requireHeld();
		return this.scope.handle(this).connection();
	}

	/**
	 * Return whether the calling thread holds the connection.
	 * @return whether inside a scope
	 */
	public boolean isHeldByCurrentThread() {
		return this.lock.isHeldByCurrentThread();
	}

	/**
	 * Return whether no usable physical connection is open: before first use, after
	 * {@link #resetConnection()} or {@link #close()}, and after a break was detected.
	 * @return whether closed
	 */
	public boolean isClosed() {
		PhysicalConnection current = this.source.current();
		return current == null || current.isClosed();
	}

	/**
	 * Return the transaction status, read without a round trip and without waiting. From a
	 * thread other than the holder it is the status as of the holder's last statement, commit
	 * or rollback.
	 * @return the status, {@link TransactionStatus#UNKNOWN} when closed
	 */
	public TransactionStatus status() {
		PhysicalConnection current = this.source.current();
		if (current == null) {
			return TransactionStatus.UNKNOWN;
		}
		// Another thread may be running a statement: read what it saw last rather than wait.
		return isHeldByCurrentThread() ? current.status() : current.observedStatus();
	}

	/**
	 * Cancel the statement running on the connection, from any thread. Does nothing when no
	 * thread holds the connection. The cancel is tied to the scope it was issued in: a scope that
	 * ends while the cancel request is on its way waits for it, so it never reaches the next
	 * holder's statement.
	 * @throws SQLException if the cancel request could not be sent
	 */
	public void cancel() throws SQLException {
		PhysicalConnection current = this.source.current();
		if (current != null) {
			this.scopes.cancelGate().cancel(current);
		}
	}

	/**
	 * Close the physical connection once no thread holds it; the next acquisition opens a new
	 * one, as with Spring's {@code SingleConnectionDataSource.resetConnection()}. Called by the
	 * holder, or when the holder does not release within the acquire timeout, the connection
	 * closes when the holder's scope ends.
	 */
	public void resetConnection() {
		this.source.closeWhenFree(this.lock, this.settings.acquireTimeout().toNanos());
	}

	/**
	 * Close for good, as when the application stops: nothing is opened again. Every later
	 * acquisition fails at once with an {@link SQLException}, and threads already waiting fail
	 * as their turn comes instead of waiting out the acquire timeout. A scope that holds the
	 * connection is not waited for: the statement it is running is cancelled and its physical
	 * connection aborted, so its next call on the connection fails at once, the server rolls
	 * back its open transaction, and the scope ends as after any broken connection. Called by
	 * the holder itself, the connection closes when its scope ends. The auto-configured bean is
	 * closed when its application context closes.
	 */
	@Override
	public void close() {
		this.scopes.closeForGood();
		this.source.closeWithoutWaiting(this.lock);
	}

	/**
	 * Listen on a channel, as psycopg2's {@code notifies} and {@code LISTEN}: the listener gets
	 * every notification the server sends to the channel from the moment the session listens on
	 * it, which is the next time the connection is free (this method returns at once). On the
	 * one shared connection, with no second one: notifications are collected as each holder
	 * releases the connection and, while nobody holds or waits for it, every
	 * {@code notificationPollInterval}. The session keeps listening across session resets, and
	 * on a new connection after the old one broke, when each listener hears
	 * {@link NotificationListener#onResubscribed} since notifications sent meanwhile are lost.
	 * Listeners run on a thread of their own (see {@link NotificationListener}). Several
	 * listeners may listen on a channel; closing the last subscription stops listening on it. A
	 * channel may be any name PostgreSQL keeps whole: 1 to 63 bytes. Behind a PgBouncer in
	 * transaction pooling mode no {@code LISTEN} works.
	 * @param channel the channel
	 * @param listener the listener
	 * @return the subscription, to close to stop listening
	 * @throws IllegalArgumentException if the channel name is empty or too long
	 */
	public Subscription listen(String channel, NotificationListener listener) {
		return this.scopes.listen(channel, listener);
	}

	/**
	 * Return the {@link DataSource} view: inside a scope {@code getConnection()} returns the held
	 * connection (closing it does nothing); outside one it acquires the connection exclusively
	 * with autocommit on until the returned connection is closed.
	 * @return the DataSource view
	 */
	public DataSource asDataSource() {
		return this.dataSource;
	}

	/**
	 * Describe the server and the session of the open connection, as psycopg2's
	 * {@code connection.info}: server version, backend PID, the parameter statuses the server
	 * reports, and the connection parameters with passwords masked. No round trip, and never
	 * waits for the holder, so safe from any thread at any time: the parameter statuses are
	 * those of when the connection was opened or a scope that may have changed them last
	 * ended, not changes the holder is making right now.
	 * @return the description; with an empty version, version number {@code 0}, backend PID
	 * {@code -1} and no parameter statuses while no connection is open
	 */
	public ServerInfo serverInfo() {
		return this.source.serverInfo();
	}

	/**
	 * Return a snapshot of the connection's state without waiting for the holder.
	 * @return the state
	 */
	public ConnectionState state() {
		return ConnectionState.snapshot(this.source.current(), this.scope, status(), this.lock.getQueueLength());
	}

	@Override
	public String toString() {
		String state = this.scopes.isClosedForGood() ? "closed for good"
				: isClosed() ? "closed" : (this.scope.holder() != null) ? "in use" : "idle";
		return "ManagedConnection[" + this.maskedUrl + " (" + state + ")]";
	}

	/**
	 * End a scope begun by the DataSource view when its connection is closed.
	 */
	void releaseBorrowed(ConnectionHandle borrowed) throws SQLException {
		this.dataSource.release(borrowed);
	}

	SessionStatements sessionStatements() {
		return this.sessionStatements;
	}

}
