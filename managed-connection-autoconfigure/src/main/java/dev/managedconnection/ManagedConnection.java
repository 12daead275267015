package dev.managedconnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thread-safe, exclusive access for many threads to one shared PostgreSQL connection.
 * <p>
 * One thread at a time holds the connection, inside a scope ({@link #execute} or
 * {@link #acquire}/{@link #release}); the others wait in FIFO order up to the acquire timeout.
 * The connection opens on first use and reopens when it was closed or broke; a connection idle
 * for longer than the validation threshold is checked with a round trip before it is handed out.
 * On release a transaction left open is rolled back: after a normal return that is an error
 * ({@link OpenTransactionException}), after an exception the caller's exception goes on unchanged.
 * JDBC settings a holder changed are restored and statements it left open are closed, so the
 * next holder starts clean.
 *
 * <pre class="code">
 * ManagedConnection managed = ManagedConnection.builder().url("jdbc:postgresql://localhost/app").build();
 * int one = managed.execute((connection) -&gt; {
 *     try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SELECT 1")) {
 *         rs.next();
 *         connection.commit();
 *         return rs.getInt(1);
 *     }
 * });
 * </pre>
 *
 * @since 0.1.0
 */
public final class ManagedConnection implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ManagedConnection.class);

	private final String maskedUrl;

	private final Connector connector;

	private final boolean autoCommit;

	private final SessionReset sessionReset;

	private final long acquireTimeoutNanos;

	private final long validationIdleNanos;

	private final int validationTimeoutSeconds;

	private final MetricsTracker metricsTracker;

	private final HoldMonitor holdMonitor;

	private final ConnectionLock lock;

	private final DataSource dataSource = new ManagedDataSource(this);

	private final SessionStatements sessionStatements = new SessionStatements();

	private volatile @Nullable PhysicalConnection physical;

	private volatile @Nullable Thread holder;

	private volatile long acquiredAtNanos;

	private volatile @Nullable SQLException lastConnectError;

	private volatile boolean closeRequested;

	private volatile boolean shutDown;

	private volatile HoldMonitor.Hold hold = HoldMonitor.Hold.NONE;

	/**
	 * The number of the scope that {@link #cancel()} may cancel the statement of: set as a
	 * scope begins, zero from the moment it starts to end.
	 */
	private volatile long cancellableScope;

	private final AtomicInteger cancelsInFlight = new AtomicInteger();

	/**
	 * Held while a cancel request is on its way, so that a scope ending meanwhile waits for it
	 * rather than let it reach the next holder's statement.
	 */
	private final ReentrantLock cancelGate = new ReentrantLock();

	// Guarded by the lock: only the holder reads or writes these.

	private int depth;

	private ScopeOptions scopeOptions = ScopeOptions.DEFAULT;

	private @Nullable ConnectionHandle handle;

	private @Nullable PhysicalConnection scopeConnection;

	private long lastUsedNanos;

	private long scopeNumber;

	private ManagedConnection(Builder builder, Connector connector) {
		this.maskedUrl = Secrets.maskUrl(builder.url);
		this.connector = connector;
		this.autoCommit = builder.autoCommit;
		this.sessionReset = builder.sessionReset;
		this.acquireTimeoutNanos = builder.acquireTimeout.toNanos();
		this.validationIdleNanos = builder.validationIdleThreshold.toNanos();
		this.validationTimeoutSeconds = (int) Math.max(1, (builder.validationTimeout.toMillis() + 999) / 1000);
		this.metricsTracker = builder.metricsTracker;
		this.holdMonitor = HoldMonitor.of(this, builder.leakDetectionThreshold, builder.maxHold);
		this.lock = new ConnectionLock(builder.fair, Scheduler.ACQUIRE_TIMEOUTS, this::reclaim);
	}

	/**
	 * Start building a managed connection.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
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
	 */
	public <T extends @Nullable Object> T execute(ScopeOptions options, ConnectionCallback<T> action)
			throws SQLException {
		if (this.lock.isHeldByCurrentThread()) {
			// Joins the scope this thread holds: nothing to count, so nothing a deep stack can
			// leave half-counted.
			return action.doInConnection(handle().connection());
		}
		enter(options, false);
		try {
			T result;
			try {
				result = action.doInConnection(handle().connection());
			}
			catch (Throwable ex) {
				endOutermostScope(ex);
				throw ex;
			}
			endOutermostScope(null);
			return result;
		}
		finally {
			if (this.lock.isHeldByCurrentThread()) {
				// Only when ending the scope itself failed, say for lack of stack: never keep the lock.
				abandonScope();
			}
		}
	}

	/**
	 * End the scope that {@link #execute} began, after its action. A scope the action began
	 * with {@link #acquire} and did not end is ended with it, and fails the call.
	 */
	private void endOutermostScope(@Nullable Throwable failure) throws SQLException {
		if (!this.lock.isHeldByCurrentThread()) {
			IllegalStateException released = new IllegalStateException("The scope of this execute(...) on " + this
					+ " was ended inside it by a release() without a matching acquire()");
			if (failure == null) {
				throw released;
			}
			failure.addSuppressed(released);
			return;
		}
		if (this.depth == 1) {
			endScope(this.handle, failure);
			return;
		}
		IllegalStateException leaked = new IllegalStateException("The action of this execute(...) on " + this
				+ " called acquire() " + (this.depth - 1) + " time(s) more than release(): every acquire() needs "
				+ "its release() (or releaseAfterFailure()) before the action returns; the scope has been ended "
				+ "and its transaction rolled back");
		this.depth = 1;
		if (failure != null) {
			failure.addSuppressed(leaked);
			endScope(this.handle, failure);
			return;
		}
		endScope(this.handle, leaked);
		throw leaked;
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
		enter(options, false);
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
		requireHeld();
		if (this.depth > 1) {
			this.depth--;
			return;
		}
		endScope(this.handle, null);
	}

	/**
	 * Leave the innermost scope of the calling thread after the caller threw. Leaving the
	 * outermost scope rolls back an open transaction, closes a broken connection and releases
	 * it. Never throws: problems are added to the failure as suppressed exceptions.
	 * @param failure what the caller threw
	 */
	public void releaseAfterFailure(Throwable failure) {
		if (!this.lock.isHeldByCurrentThread()) {
			failure.addSuppressed(new IllegalStateException(noScopeMessage()));
			return;
		}
		if (this.depth > 1) {
			this.depth--;
			return;
		}
		try {
			endScope(this.handle, failure);
		}
		catch (SQLException ex) {
			// Not thrown after a failure; kept in case that ever changes.
			failure.addSuppressed(ex);
		}
	}

	/**
	 * Return the connection held by the calling thread.
	 * @return the handle of the current scope
	 * @throws IllegalStateException if the calling thread holds no scope
	 */
	public Connection currentConnection() {
		return handle().connection();
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
	 * {@link #close()}, and after a break was detected.
	 * @return whether closed
	 */
	public boolean isClosed() {
		PhysicalConnection current = this.physical;
		return current == null || current.isClosed();
	}

	/**
	 * Return the transaction status, read without a round trip and without waiting. From a
	 * thread other than the holder it is the status as of the holder's last statement, commit
	 * or rollback.
	 * @return the status, {@link TransactionStatus#UNKNOWN} when closed
	 */
	public TransactionStatus status() {
		PhysicalConnection current = this.physical;
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
		long scope = this.cancellableScope;
		PhysicalConnection current = this.physical;
		if (scope == 0 || current == null || current.isClosed()) {
			return;
		}
		this.cancelsInFlight.incrementAndGet();
		this.cancelGate.lock();
		try {
			// The scope may have begun to end meanwhile; then its ending waits for this gate.
			if (this.cancellableScope == scope) {
				current.cancel();
			}
		}
		finally {
			this.cancelGate.unlock();
			this.cancelsInFlight.decrementAndGet();
		}
	}

	/**
	 * Close the physical connection once no thread holds it; the next acquisition opens a new
	 * one. Called by the holder, or when the holder does not release within the acquire timeout,
	 * the connection closes when the holder's scope ends.
	 */
	@Override
	public void close() {
		if (this.lock.isHeldByCurrentThread()) {
			this.closeRequested = true;
			return;
		}
		boolean locked;
		try {
			locked = this.lock.tryLock(this.acquireTimeoutNanos);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			locked = false;
		}
		if (!locked) {
			this.closeRequested = true;
			return;
		}
		try {
			closePhysical(null);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Close for good, as when the application stops; unlike {@link #close()}, nothing is
	 * opened again. Every later acquisition fails at once with an {@link SQLException}, and
	 * threads already waiting fail as their turn comes instead of waiting out the acquire
	 * timeout. A scope that holds the connection is not waited for: the statement it is running
	 * is cancelled and its physical connection aborted, so its next call on the connection fails
	 * at once, the server rolls back its open transaction, and the scope ends as after any
	 * broken connection. Called by the holder itself, the connection closes when its scope ends.
	 * The auto-configured bean is shut down when its application context closes; declare a
	 * bean of your own with {@code @Bean(destroyMethod = "shutdown")}.
	 */
	public void shutdown() {
		this.shutDown = true;
		if (this.lock.isHeldByCurrentThread()) {
			this.closeRequested = true;
			return;
		}
		if (this.lock.tryLock()) {
			try {
				closePhysical(null);
			}
			finally {
				this.lock.unlock();
			}
			return;
		}
		// Another thread holds the connection: end its session under it rather than wait for
		// work that nothing will acknowledge any more. The server notices a closed socket only
		// when it next talks to the client, so a running statement is cancelled first.
		this.closeRequested = true;
		PhysicalConnection current = this.physical;
		if (current != null) {
			try {
				current.cancel();
			}
			catch (SQLException ex) {
				logger.debug("Could not cancel the statement of {} on shutdown", this, ex);
			}
			current.abort();
			logger.debug("Aborted the physical connection of {} (backend PID {}) under its holder", this,
					current.backendPid());
		}
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
	 * Return a snapshot of the connection's state without waiting for the holder.
	 * @return the state
	 */
	public ConnectionState state() {
		PhysicalConnection current = this.physical;
		boolean open = current != null && !current.isClosed();
		Thread currentHolder = this.holder;
		Duration heldFor = (currentHolder != null) ? Duration.ofNanos(System.nanoTime() - this.acquiredAtNanos)
				: Duration.ZERO;
		return new ConnectionState(open, open ? current.backendPid() : -1, open ? current.serverVersion() : null,
				status(), (currentHolder != null) ? currentHolder.getName() : null, heldFor, this.lock.getQueueLength());
	}

	@Override
	public String toString() {
		String state = this.shutDown ? "shut down"
				: isClosed() ? "closed" : (this.holder != null) ? "in use" : "idle";
		return "ManagedConnection[" + this.maskedUrl + " (" + state + ")]";
	}

	/**
	 * Acquire for the DataSource view: inside a scope the held connection, otherwise a new
	 * scope with autocommit on that ends when the returned connection is closed.
	 */
	Connection borrow() throws SQLException {
		if (this.lock.isHeldByCurrentThread()) {
			return handle().join();
		}
		enter(ScopeOptions.DEFAULT, true);
		return handle().connection();
	}

	/**
	 * End a scope begun by {@link #borrow()} when its connection is closed.
	 */
	void releaseBorrowed(ConnectionHandle borrowed) throws SQLException {
		if (!this.lock.isHeldByCurrentThread() || this.handle != borrowed) {
			throw new SQLException("A connection borrowed from the DataSource view of " + this
					+ " must be closed by the thread that borrowed it, before that thread's enclosing scope ends");
		}
		if (this.depth > 1) {
			throw new SQLException("A connection borrowed from the DataSource view of " + this
					+ " was closed while a nested scope is still open");
		}
		endScope(borrowed, null);
	}

	SessionStatements sessionStatements() {
		return this.sessionStatements;
	}

	/**
	 * Return the handle of the calling thread's scope, created on first request: a scope whose
	 * holder never asks for the connection allocates nothing.
	 */
	private ConnectionHandle handle() {
		requireHeld();
		ConnectionHandle current = this.handle;
		if (current == null) {
			current = new ConnectionHandle(this, this.scopeConnection, false);
			this.handle = current;
		}
		return current;
	}

	private void enter(ScopeOptions options, boolean borrow) throws SQLException {
		if (this.lock.isHeldByCurrentThread()) {
			this.depth++;
			return;
		}
		if (this.shutDown) {
			throw shutDownException();
		}
		long timeoutNanos = (options.acquireTimeout() != null) ? options.acquireTimeout().toNanos()
				: this.acquireTimeoutNanos;
		long startNanos = lock(timeoutNanos);
		long now = System.nanoTime();
		if (startNanos == 0) {
			startNanos = now;
		}
		this.holder = Thread.currentThread();
		this.acquiredAtNanos = now;
		long readyNanos;
		boolean entered = false;
		try {
			if (this.shutDown) {
				throw shutDownException();
			}
			PhysicalConnection current = this.physical;
			// Used moments ago: no check, and no second clock read for the metrics.
			boolean fresh = current != null && !current.isClosed()
					&& now - this.lastUsedNanos <= this.validationIdleNanos;
			PhysicalConnection usable = fresh ? current : usableConnection(now, startNanos + timeoutNanos);
			readyNanos = fresh ? now : System.nanoTime();
			if (this.shutDown) {
				// Shut down while this thread opened or checked the connection.
				closePhysical(null);
				throw shutDownException();
			}
			if (borrow) {
				this.handle = new ConnectionHandle(this, usable, true);
				if (!this.autoCommit) {
					usable.connection().setAutoCommit(true);
				}
			}
			this.scopeConnection = usable;
			this.depth = 1;
			this.scopeOptions = options;
			this.hold = this.holdMonitor.start(Thread.currentThread(), now, usable);
			this.metricsTracker.acquired(readyNanos - startNanos);
			this.cancellableScope = ++this.scopeNumber;
			entered = true;
		}
		finally {
			if (!entered) {
				// Whatever failed, a metrics tracker included, the caller holds nothing.
				try {
					endHold();
				}
				finally {
					clearScope();
					this.lock.unlock();
				}
			}
		}
	}

	/**
	 * Take the lock, honouring fairness: an uncontended lock is taken without reading the clock.
	 * @return when waiting began, or {@code 0} if the lock was free
	 */
	private long lock(long timeoutNanos) throws SQLException {
		try {
			if (this.lock.tryLock(0)) {
				return 0;
			}
			long startNanos = System.nanoTime();
			if (this.lock.tryLock(timeoutNanos)) {
				return startNanos;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SQLException("Interrupted while waiting for " + this + "; the interrupt flag is kept", ex);
		}
		this.metricsTracker.timedOut();
		throw waitTimeout(timeoutNanos);
	}

	private AcquireTimeoutException waitTimeout(long timeoutNanos) {
		Thread currentHolder = this.holder;
		// Read after the holder: a hold set by another thread since then gives no site.
		HoldMonitor.AcquisitionSite site = (currentHolder != null) ? this.hold.acquisitionSite(currentHolder) : null;
		PhysicalConnection current = this.physical;
		StringBuilder message = new StringBuilder("Timed out after ").append(TimeUnit.NANOSECONDS.toMillis(timeoutNanos))
			.append(" ms waiting for ")
			.append(this);
		if (currentHolder != null) {
			message.append(": held by thread '")
				.append(currentHolder.getName())
				.append("' for ")
				.append(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.acquiredAtNanos))
				.append(" ms");
			if (current != null && !current.isClosed()) {
				message.append(" (backend PID ").append(current.backendPid()).append(')');
			}
			if (site != null) {
				message.append(", acquired at ").append(site.caller());
			}
		}
		message.append(", ").append(this.lock.getQueueLength()).append(" other thread(s) waiting");
		SQLException connectError = this.lastConnectError;
		AcquireTimeoutException timeout = (connectError != null)
				? new AcquireTimeoutException(message.append("; last error opening the connection: ")
					.append(connectError.getMessage())
					.toString(), connectError)
				: new AcquireTimeoutException(message.toString());
		if (site != null) {
			timeout.addSuppressed(site);
		}
		return timeout;
	}

	/**
	 * Return the physical connection ready for use: as it is when used moments ago, verified
	 * with a round trip after longer idleness, or newly opened.
	 */
	private PhysicalConnection usableConnection(long now, long deadlineNanos) throws SQLException {
		PhysicalConnection current = this.physical;
		if (current != null && !current.isClosed()) {
			if (now - this.lastUsedNanos <= this.validationIdleNanos) {
				return current;
			}
			SQLException invalid = current.validate(this.validationTimeoutSeconds);
			if (invalid == null) {
				return current;
			}
			logger.debug("Validation failed for {}; opening a new connection", this, invalid);
		}
		boolean reconnect = current != null;
		if (current != null) {
			closePhysical(null);
		}
		PhysicalConnection opened = open(deadlineNanos);
		if (reconnect) {
			this.metricsTracker.reconnected();
		}
		return opened;
	}

	private PhysicalConnection open(long deadlineNanos) throws SQLException {
		PhysicalConnection opened;
		try {
			opened = this.connector.connect(deadlineNanos, (failure) -> this.lastConnectError = failure);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SQLException("Interrupted while opening a connection for " + this + "; the interrupt flag is kept",
					ex);
		}
		catch (SQLException ex) {
			if (ex instanceof java.sql.SQLNonTransientConnectionException) {
				throw ex;
			}
			this.metricsTracker.timedOut();
			throw new AcquireTimeoutException("Could not open a connection for " + this + " before the acquire timeout; "
					+ "last error: " + ex.getMessage(), ex);
		}
		this.lastConnectError = null;
		try {
			opened.connection().setAutoCommit(this.autoCommit);
		}
		catch (SQLException ex) {
			opened.close(ex);
			throw ex;
		}
		this.physical = opened;
		this.lastUsedNanos = System.nanoTime();
		logger.debug("Opened {} (backend PID {})", this, opened.backendPid());
		return opened;
	}

	/**
	 * End the outermost scope: cancel a COPY left open, close the statements the holder left
	 * open, end its transaction, reset the session and release the lock, whatever fails on the
	 * way. A connection that broke during the scope is closed without a word to the server, and
	 * one whose driver an {@link Error} interrupted is aborted, so the next holder gets a new one.
	 * @param ending the scope's handle, or {@code null} if the holder never asked for it
	 * @param failure what the holder threw, or {@code null} after a normal return; problems
	 * ending the scope are added to it as suppressed exceptions
	 * @throws SQLException after a normal return, if committing or ending the transaction failed
	 * @throws OpenTransactionException after a normal return with a transaction left open
	 */
	private void endScope(@Nullable ConnectionHandle ending, @Nullable Throwable failure) throws SQLException {
		PhysicalConnection current = this.scopeConnection;
		ScopeOptions options = this.scopeOptions;
		long heldNanos = System.nanoTime() - this.acquiredAtNanos;
		// Until the scope has ended cleanly, the connection is not handed on.
		boolean close = true;
		boolean abort = true;
		String why = "ending the scope failed";
		Exception problem = null;
		try {
			endHold();
			stopCancels();
			if (failure instanceof Error || (ending != null && ending.sawError())) {
				// The driver may have stopped half-way through a message: nothing it says can be trusted.
				why = "an Error interrupted the holder";
			}
			else if (isBroken(current, ending, failure)) {
				why = "it broke during the scope";
				problem = (failure == null) ? lostTransaction(current, ending, options) : null;
			}
			else if (ending != null && ending.reachedTheDriver() && !CopyGuard.isAvailable()) {
				// A COPY left open, which locks the connection for good, cannot be seen here.
				why = "the holder reached the driver, and COPY operations cannot be seen in this pgjdbc";
			}
			else if (ending != null && ending.reachedTheDriver()
					&& CopyGuard.activeCopy(current.pgConnection()) != null) {
				// It locks the connection for good, and pgjdbc leaves the protocol out of step after
				// cancelling some: the server ends it, and rolls back, when the connection is aborted.
				why = "a COPY was left open";
				problem = new SQLException("A COPY was still in progress when the scope on " + this
						+ " ended: the connection was closed, so the server cancelled it and rolled the transaction "
						+ "back. End a COPY with endCopy() or cancelCopy() before the scope ends.", "25000");
			}
			else {
				abort = false;
				close = options.close();
				why = "the scope asked for it";
				if (ending != null) {
					ending.closeStatements(failure);
				}
				try {
					problem = endTransaction(current, ending, options, failure);
				}
				catch (SQLException | RuntimeException ex) {
					problem = ex;
					if (current.isClosed() || BrokenConnections.isBroken(ex) || !rollBackIfStillOpen(current, ex)) {
						close = true;
						why = "its transaction could not be ended";
					}
				}
				if (!close && ending != null && !resetSession(ending, (problem != null) ? problem : failure)) {
					close = true;
					why = "its session could not be reset";
				}
			}
		}
		catch (RuntimeException ex) {
			problem = ex;
		}
		finally {
			unlockScope(ending, close, abort);
		}
		this.metricsTracker.released(heldNanos);
		if (close) {
			logger.debug("Closed the physical connection of {} (backend PID {}): {}", this, current.backendPid(), why);
		}
		if (problem == null) {
			return;
		}
		if (failure != null) {
			failure.addSuppressed(problem);
			return;
		}
		if (problem instanceof SQLException sql) {
			throw sql;
		}
		throw (RuntimeException) problem;
	}

	/**
	 * A cancel issued for the ending scope must not reach the next holder's statement: no new
	 * one may begin, and one already on its way is waited for.
	 */
	private void stopCancels() {
		this.cancellableScope = 0;
		if (this.cancelsInFlight.get() != 0) {
			this.cancelGate.lock();
			this.cancelGate.unlock();
		}
	}

	/**
	 * Return whether the connection broke during the scope: the driver closed it, or told the
	 * holder so. An error that only looks like a broken connection (a timeout of another pool
	 * is SQLState 08001 too) must not cost a healthy connection: the server is asked.
	 */
	private boolean isBroken(PhysicalConnection current, @Nullable ConnectionHandle ending,
			@Nullable Throwable failure) {
		if (current.isClosed() || (ending != null && ending.sawBrokenConnection())) {
			return true;
		}
		if (failure != null && BrokenConnections.isBroken(failure)) {
			SQLException invalid = current.validate(this.validationTimeoutSeconds);
			if (invalid != null) {
				failure.addSuppressed(invalid);
				return true;
			}
		}
		return false;
	}

	/**
	 * After a normal return on a connection that broke: the server rolled back what was open,
	 * which the holder must hear of as if it had left the transaction open.
	 * @return what to throw, or {@code null} when no transaction was open
	 */
	private @Nullable Exception lostTransaction(PhysicalConnection current, @Nullable ConnectionHandle ending,
			ScopeOptions options) {
		boolean borrowed = ending != null && ending.isBorrowed();
		TransactionStatus status = current.lastKnownStatus();
		if (status != TransactionStatus.IN_TRANSACTION && status != TransactionStatus.IN_ERROR) {
			return null;
		}
		this.metricsTracker.rolledBack(RollbackReason.OPEN_TRANSACTION);
		if (options.commit() && !borrowed) {
			return new SQLNonTransientConnectionException("Could not commit the scope's transaction on " + this
					+ ": the connection broke before the scope ended, and the server rolled the transaction back", "08006");
		}
		logger.warn("The transaction left {} on {} was lost with the connection, which broke during the scope", status,
				this);
		return new OpenTransactionException(status);
	}

	/**
	 * End a transaction the holder left open: after a failure roll it back; after a normal
	 * return commit it (with the {@code commit} option) or roll it back and report it.
	 * @return what to throw after a forced rollback, or {@code null}
	 */
	private @Nullable Exception endTransaction(PhysicalConnection current, @Nullable ConnectionHandle ending,
			ScopeOptions options, @Nullable Throwable failure) throws SQLException {
		boolean borrowed = ending != null && ending.isBorrowed();
		TransactionStatus status = current.status();
		if (status != TransactionStatus.IN_TRANSACTION && status != TransactionStatus.IN_ERROR) {
			return null;
		}
		if (failure != null) {
			current.connection().rollback();
			this.metricsTracker.rolledBack(RollbackReason.EXCEPTION);
			// Expected: ending a failed scope is what the rollback is for.
			logger.debug("Rolled back the open transaction of {} after the holder threw {}", this,
					failure.getClass().getName());
			return null;
		}
		if (options.commit() && !borrowed) {
			if (ending != null && ending.isPoisoned()) {
				current.connection().rollback();
				return SecondTransactionException.rolledBack(this);
			}
			current.commit();
			return null;
		}
		return rollbackOpenTransaction(current, borrowed, status);
	}

	private OpenTransactionException rollbackOpenTransaction(PhysicalConnection current, boolean borrowed,
			TransactionStatus status) throws SQLException {
		OpenTransactionException problem = new OpenTransactionException(status);
		try {
			current.connection().rollback();
		}
		catch (SQLException ex) {
			ex.addSuppressed(problem);
			throw ex;
		}
		this.metricsTracker.rolledBack(RollbackReason.OPEN_TRANSACTION);
		if (borrowed) {
			// Spring's DataSourceUtils swallows exceptions from close(): the log is what users see.
			logger.warn("{} Rolled back a transaction left open on a connection borrowed from the DataSource view of {}",
					OpenTransactionException.MESSAGE, this);
		}
		else {
			logger.warn("Rolled back a transaction left {} on release of {}", status, this);
		}
		return problem;
	}

	/**
	 * Stop watching the scope before cleaning up, so a max-hold cancel cannot hit the cleanup.
	 */
	private void endHold() {
		HoldMonitor.Hold ending = this.hold;
		this.hold = HoldMonitor.Hold.NONE;
		ending.end();
	}

	/**
	 * After ending the transaction failed, make sure none is left open.
	 * @return whether the connection is out of any transaction
	 */
	private boolean rollBackIfStillOpen(PhysicalConnection current, Exception problem) {
		if (current.status() == TransactionStatus.IDLE) {
			return true;
		}
		try {
			current.connection().rollback();
			return true;
		}
		catch (SQLException ex) {
			problem.addSuppressed(ex);
			return false;
		}
	}

	/**
	 * Undo what the holder changed on the connection, as far as the session reset mode says.
	 * Runs after the transaction has ended.
	 * @param problem what already went wrong in the scope, to attach a failure to, or {@code null}
	 * @return whether the connection may be kept: with its settings in doubt the next holder
	 * gets a fresh one instead
	 */
	private boolean resetSession(ConnectionHandle ending, @Nullable Throwable problem) {
		PhysicalConnection current = this.scopeConnection;
		try {
			if (this.sessionReset == SessionReset.NONE) {
				if (ending.isBorrowed()) {
					// The DataSource view turned autocommit on; that is ours to undo.
					current.connection().setAutoCommit(this.autoCommit);
				}
				return true;
			}
			ending.restoreSettings(this.autoCommit);
			if (this.sessionReset == SessionReset.DISCARD_ALL && ending.mayHaveChangedSession()) {
				current.discardAll();
				this.metricsTracker.sessionDiscarded();
			}
			else {
				current.connection().clearWarnings();
			}
			return true;
		}
		catch (SQLException | RuntimeException ex) {
			// The transaction has ended, committed perhaps: this failure is no reason to tell the
			// caller its work failed.
			if (problem != null) {
				problem.addSuppressed(ex);
			}
			else {
				logger.warn("Could not reset the session of {} after the scope ended; closing it instead: {}", this,
						ex.toString());
			}
			return false;
		}
	}

	/**
	 * Close or abort the physical connection as the ending scope decided, and release the lock,
	 * whatever is thrown: nothing here logs or allocates before the unlock.
	 */
	private void unlockScope(@Nullable ConnectionHandle ending, boolean close, boolean abort) {
		try {
			if (ending != null) {
				ending.invalidate();
			}
			this.lastUsedNanos = System.nanoTime();
			PhysicalConnection current = this.physical;
			if (abort && current != null) {
				this.physical = null;
				current.abort();
			}
			else if (close || this.closeRequested) {
				closePhysical(null);
			}
			else if (current != null) {
				// What other threads report until the next holder runs a statement.
				current.status();
			}
		}
		finally {
			clearScope();
			this.lock.unlock();
		}
	}

	/**
	 * Forget the scope the lock's holder had. Only field writes: it runs on the way to the unlock.
	 */
	private void clearScope() {
		this.cancellableScope = 0;
		this.handle = null;
		this.scopeConnection = null;
		this.depth = 0;
		this.scopeOptions = ScopeOptions.DEFAULT;
		this.holder = null;
	}

	/**
	 * Give up the scope of the calling thread without ending it, when ending it failed: the
	 * physical connection is aborted, so the server rolls back what was open.
	 */
	private void abandonScope() {
		try {
			this.hold = HoldMonitor.Hold.NONE;
			PhysicalConnection current = this.physical;
			this.physical = null;
			if (current != null) {
				current.abort();
			}
		}
		finally {
			clearScope();
			this.lock.unlock();
		}
	}

	/**
	 * Take the connection back from a holder whose thread ended without releasing it (it
	 * borrowed from the DataSource view and never closed the connection, say). Called by the
	 * lock, on the thread that found the holder dead and now owns the lock.
	 */
	private void reclaim(Thread deadHolder) {
		HoldMonitor.Hold lost = this.hold;
		HoldMonitor.AcquisitionSite site = lost.acquisitionSite(deadHolder);
		ConnectionHandle ending = this.handle;
		int backendPid = -1;
		try {
			if (ending != null) {
				ending.invalidate();
			}
			this.hold = HoldMonitor.Hold.NONE;
			lost.end();
			PhysicalConnection current = this.physical;
			this.physical = null;
			if (current != null) {
				backendPid = current.backendPid();
				current.abort();
			}
		}
		finally {
			clearScope();
			this.lock.unlock();
		}
		this.metricsTracker.rolledBack(RollbackReason.EXCEPTION);
		logger.error("Thread '{}' ended while it held {}: the connection was taken back and its physical connection "
				+ "(backend PID {}) aborted, so the server rolled back what the thread left open. End every scope, and "
				+ "close every connection borrowed from the DataSource view, before the thread ends.{}",
				deadHolder.getName(), this, backendPid,
				(site != null) ? " It acquired the connection here:"
						: " Set a leak-detection threshold to log where it acquired the connection.",
				site);
	}

	private void closePhysical(@Nullable Throwable failure) {
		PhysicalConnection current = this.physical;
		this.closeRequested = false;
		if (current != null) {
			this.physical = null;
			current.close(failure);
		}
	}

	private SQLException shutDownException() {
		return new SQLNonTransientConnectionException(
				"Cannot acquire " + this + ": it was shut down, as when its application context closed", "08003");
	}

	private void requireHeld() {
		if (!this.lock.isHeldByCurrentThread()) {
			throw new IllegalStateException(noScopeMessage());
		}
	}

	private String noScopeMessage() {
		return "Thread '" + Thread.currentThread().getName() + "' does not hold " + this
				+ ": use it inside ManagedConnection.execute(...) or a method annotated with @ExclusiveConnection";
	}

	/**
	 * Builds a {@link ManagedConnection}.
	 *
	 * @since 0.1.0
	 */
	public static final class Builder {

		private @Nullable String url;

		private @Nullable String username;

		private @Nullable String password;

		private final Properties properties = new Properties();

		private boolean autoCommit;

		private Duration acquireTimeout = Duration.ofSeconds(30);

		private boolean fair = true;

		private Duration validationTimeout = Duration.ofSeconds(5);

		private Duration validationIdleThreshold = Duration.ofMillis(500);

		private Duration connectTimeout = Duration.ofSeconds(10);

		private @Nullable Duration socketTimeout;

		private @Nullable String applicationName;

		private MetricsTracker metricsTracker = MetricsTracker.NONE;

		private SessionReset sessionReset = SessionReset.DISCARD_ALL;

		private @Nullable Duration leakDetectionThreshold;

		private @Nullable Duration maxHold;

		private Builder() {
		}

		/**
		 * Set the JDBC URL; it must start with {@code jdbc:postgresql:}.
		 * @param url the JDBC URL
		 * @return this builder
		 */
		public Builder url(String url) {
			this.url = url;
			return this;
		}

		/**
		 * Set the user name.
		 * @param username the user name, or {@code null} for the driver's default
		 * @return this builder
		 */
		public Builder username(@Nullable String username) {
			this.username = username;
			return this;
		}

		/**
		 * Set the password.
		 * @param password the password, or {@code null} for none
		 * @return this builder
		 */
		public Builder password(@Nullable String password) {
			this.password = password;
			return this;
		}

		/**
		 * Add pgjdbc connection properties, such as {@code sslmode} or {@code prepareThreshold}.
		 * @param properties the properties
		 * @return this builder
		 */
		public Builder properties(Properties properties) {
			this.properties.putAll(properties);
			return this;
		}

		/**
		 * Set whether each statement commits itself. Off by default, as in psycopg2: the first
		 * statement opens a transaction the holder must end.
		 * @param autoCommit whether autocommit is on
		 * @return this builder
		 */
		public Builder autoCommit(boolean autoCommit) {
			this.autoCommit = autoCommit;
			return this;
		}

		/**
		 * Set how long a thread waits for the connection, including opening it. 30 seconds by default.
		 * @param acquireTimeout the timeout, positive
		 * @return this builder
		 */
		public Builder acquireTimeout(Duration acquireTimeout) {
			this.acquireTimeout = acquireTimeout;
			return this;
		}

		/**
		 * Set whether waiting threads get the connection in arrival order. On by default.
		 * @param fair whether waiters are served first in, first out
		 * @return this builder
		 */
		public Builder fair(boolean fair) {
			this.fair = fair;
			return this;
		}

		/**
		 * Set how long a validation round trip may take. 5 seconds by default; rounded up to
		 * whole seconds, as JDBC's {@code isValid} takes.
		 * @param validationTimeout the timeout, positive
		 * @return this builder
		 */
		public Builder validationTimeout(Duration validationTimeout) {
			this.validationTimeout = validationTimeout;
			return this;
		}

		/**
		 * Set how long the connection may sit unused before it is validated with a round trip
		 * when next acquired. 500 ms by default; zero validates on every acquisition.
		 * @param validationIdleThreshold the threshold, zero or positive
		 * @return this builder
		 */
		public Builder validationIdleThreshold(Duration validationIdleThreshold) {
			this.validationIdleThreshold = validationIdleThreshold;
			return this;
		}

		/**
		 * Set the most one connection attempt may take, connecting and logging in. 10 seconds
		 * by default; cut to the time left before the acquire deadline.
		 * @param connectTimeout the timeout, positive
		 * @return this builder
		 */
		public Builder connectTimeout(Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
			return this;
		}

		/**
		 * Set how long a read from the server may block before the connection is considered
		 * broken. None by default.
		 * @param socketTimeout the timeout, or {@code null} or zero for none
		 * @return this builder
		 */
		public Builder socketTimeout(@Nullable Duration socketTimeout) {
			this.socketTimeout = socketTimeout;
			return this;
		}

		/**
		 * Set the application name the server shows in {@code pg_stat_activity}.
		 * @param applicationName the name, or {@code null} for the driver's default
		 * @return this builder
		 */
		public Builder applicationName(@Nullable String applicationName) {
			this.applicationName = applicationName;
			return this;
		}

		/**
		 * Set what receives the connection's events for metrics. None by default.
		 * @param metricsTracker the tracker
		 * @return this builder
		 */
		public Builder metricsTracker(MetricsTracker metricsTracker) {
			this.metricsTracker = metricsTracker;
			return this;
		}

		/**
		 * Set what is reset between two holders so that no session state passes from one to
		 * the next. {@link SessionReset#DISCARD_ALL} by default.
		 * @param sessionReset the reset mode
		 * @return this builder
		 */
		public Builder sessionReset(SessionReset sessionReset) {
			this.sessionReset = sessionReset;
			return this;
		}

		/**
		 * Set how long a scope may hold the connection before a warning names the holder
		 * thread and where it acquired the connection; an info message follows when it
		 * releases. Off by default. When on, every acquisition records its stack trace.
		 * @param leakDetectionThreshold the threshold, or {@code null} or zero for off
		 * @return this builder
		 */
		public Builder leakDetectionThreshold(@Nullable Duration leakDetectionThreshold) {
			this.leakDetectionThreshold = leakDetectionThreshold;
			return this;
		}

		/**
		 * Set how long a scope may hold the connection before the statement it is running is
		 * cancelled, as {@link ManagedConnection#cancel()} does. Off by default. A holder
		 * busy outside the database keeps the connection: nothing is running to cancel.
		 * @param maxHold the maximum hold, or {@code null} or zero for off
		 * @return this builder
		 */
		public Builder maxHold(@Nullable Duration maxHold) {
			this.maxHold = maxHold;
			return this;
		}

		/**
		 * Build the managed connection. No connection is opened until first use.
		 * @return the managed connection
		 * @throws IllegalArgumentException if a setting is missing or out of range
		 */
		public ManagedConnection build() {
			String jdbcUrl = this.url;
			if (jdbcUrl == null || jdbcUrl.isBlank()) {
				throw new IllegalArgumentException("'url' must be set to a jdbc:postgresql: URL");
			}
			if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
				throw new IllegalArgumentException(
						"'url' must start with 'jdbc:postgresql:' but was '" + Secrets.maskUrl(jdbcUrl) + "'");
			}
			if (this.sessionReset == null) {
				throw new IllegalArgumentException("'sessionReset' must not be null");
			}
			requirePositive("acquireTimeout", this.acquireTimeout);
			requirePositive("validationTimeout", this.validationTimeout);
			requirePositive("connectTimeout", this.connectTimeout);
			if (this.validationIdleThreshold == null || this.validationIdleThreshold.isNegative()) {
				throw new IllegalArgumentException(
						"'validationIdleThreshold' must be zero or positive but was " + this.validationIdleThreshold);
			}
			if (this.socketTimeout != null && this.socketTimeout.isNegative()) {
				throw new IllegalArgumentException("'socketTimeout' must not be negative but was " + this.socketTimeout);
			}
			if (this.leakDetectionThreshold != null && this.leakDetectionThreshold.isNegative()) {
				throw new IllegalArgumentException(
						"'leakDetectionThreshold' must not be negative but was " + this.leakDetectionThreshold);
			}
			if (this.maxHold != null && this.maxHold.isNegative()) {
				throw new IllegalArgumentException("'maxHold' must not be negative but was " + this.maxHold);
			}
			ManagedConnection connection = new ManagedConnection(this,
					new Connector(jdbcUrl, connectionProperties(), this.connectTimeout));
			this.metricsTracker.built(connection);
			return connection;
		}

		private Properties connectionProperties() {
			Properties connectionProperties = new Properties();
			// Only when pgjdbc may assume a 9.0+ server does it send ApplicationName in the startup
			// packet, where it is the session's default; otherwise it sends a SET that a session
			// reset's DISCARD ALL would undo.
			connectionProperties.setProperty("assumeMinServerVersion", "9.0");
			connectionProperties.putAll(this.properties);
			if (this.username != null) {
				connectionProperties.setProperty("user", this.username);
			}
			if (this.password != null) {
				connectionProperties.setProperty("password", this.password);
			}
			if (this.applicationName != null) {
				connectionProperties.setProperty("ApplicationName", this.applicationName);
			}
			if (this.socketTimeout != null && !this.socketTimeout.isZero()) {
				connectionProperties.setProperty("socketTimeout",
						Long.toString(Math.max(1, (this.socketTimeout.toMillis() + 999) / 1000)));
			}
			return connectionProperties;
		}

		private static void requirePositive(String name, @Nullable Duration value) {
			if (value == null || value.isNegative() || value.isZero()) {
				throw new IllegalArgumentException("'" + name + "' must be positive but was " + value);
			}
		}

	}

}
