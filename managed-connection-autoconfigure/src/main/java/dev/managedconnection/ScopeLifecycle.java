package dev.managedconnection;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;

import dev.managedconnection.ScopeEnd.Disposal;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cycle of every outermost scope of a {@link ManagedConnection}: lock, ready connection,
 * begin scope; then end scope, unlock. The {@link ConnectionLock} orders the threads, the
 * {@link ConnectionSource} hands out a connection that is ready, the {@link Scope} keeps what the
 * holder has, {@link ScopeEnd} ends it and the {@link CancelGate} keeps a cancel within its
 * scope. Whatever is thrown, the lock is released, and a holder whose thread ended is found and
 * its connection taken back.
 */
final class ScopeLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(ManagedConnection.class);

	private final ManagedConnection owner;

	private final ManagedConnectionSettings settings;

	private final MetricsTracker metricsTracker;

	private final HoldMonitor holdMonitor;

	private final ConnectionLock lock;

	private final ConnectionSource source;

	private final ServerNotices serverNotices;

	private final Scope scope;

	private final ScopeEnd scopeEnd;

	private final CancelGate cancelGate = new CancelGate();

	private final Notifications notifications;

	private final NotificationPoller poller;

	private volatile boolean closed;

	ScopeLifecycle(ManagedConnection owner, ManagedConnectionSettings settings, MetricsTracker metricsTracker) {
		this.owner = owner;
		this.settings = settings;
		this.metricsTracker = metricsTracker;
		this.serverNotices = new ServerNotices(owner, settings.serverNoticesLogLevel());
		this.scope = new Scope(this.serverNotices);
		this.holdMonitor = HoldMonitor.of(owner, settings.leakDetectionThreshold(), settings.maxHold());
		int bypassLimit = settings.fair() ? settings.bypassLimit() : BypassBudget.UNLIMITED;
		this.lock = new ConnectionLock(bypassLimit, Scheduler.ACQUIRE_TIMEOUTS,
				new DeadHolderReclaim(owner, this, metricsTracker));
		this.notifications = new Notifications("managed-connection-notifications", metricsTracker);
		this.source = new ConnectionSource(owner, settings, metricsTracker, this.notifications);
		this.scopeEnd = new ScopeEnd(owner, settings, metricsTracker, this.notifications);
		this.poller = new NotificationPoller(owner, this, this.notifications, settings);
	}

	ConnectionLock lock() {
		return this.lock;
	}

	ConnectionSource source() {
		return this.source;
	}

	Scope scope() {
		return this.scope;
	}

	CancelGate cancelGate() {
		return this.cancelGate;
	}

	boolean isClosedForGood() {
		return this.closed;
	}

	/**
	 * Refuse every later acquisition, and stop handing on notifications.
	 */
	void closeForGood() {
		this.closed = true;
		this.poller.stop();
		this.notifications.close();
	}

	/**
	 * Subscribe a listener to a channel and make sure the session listens on it soon.
	 */
	Subscription listen(String channel, NotificationListener listener) {
		Subscription subscription = this.notifications.subscribe(channel, listener);
		this.poller.start();
		return subscription;
	}

	/**
	 * Leave the innermost scope after a normal return; the outermost ends.
	 */
	void release() throws SQLException {
		requireHeld();
		if (this.scope.depth() > 1) {
			this.scope.leaveNested();
			return;
		}
		endScope(null);
	}

	/**
	 * Leave the innermost scope after the caller threw; never throws.
	 */
	void releaseAfterFailure(Throwable failure) {
		if (!this.lock.isHeldByCurrentThread()) {
			failure.addSuppressed(new IllegalStateException(noScopeMessage()));
			return;
		}
		if (this.scope.depth() > 1) {
			this.scope.leaveNested();
			return;
		}
		try {
			endScope(failure);
		}
		catch (SQLException ex) {
			// Not thrown after a failure; kept in case that ever changes.
			failure.addSuppressed(ex);
		}
	}

	/**
	 * Enter a scope: lock, ready connection, begin scope. On a thread that holds the connection,
	 * join its scope.
	 */
	void enter(ScopeOptions options, boolean borrow) throws SQLException {
		if (this.lock.isHeldByCurrentThread()) {
			this.scope.enterNested();
			return;
		}
		if (this.closed) {
			throw closedException();
		}
		long timeoutNanos = (options.acquireTimeout() != null) ? options.acquireTimeout().toNanos()
				: this.settings.acquireTimeout().toNanos();
		long startNanos = lock(timeoutNanos);
		long now = System.nanoTime();
		if (startNanos == 0) {
			startNanos = now;
		}
		long scopeNumber = this.scope.begin(Thread.currentThread(), now, options);
		boolean entered = false;
		try {
			// Used moments ago: no check, and no second clock read for the metrics.
			PhysicalConnection usable = this.source.fresh(now);
			long readyNanos = now;
			if (usable == null) {
				usable = this.source.ready(now, startNanos + timeoutNanos);
				readyNanos = System.nanoTime();
			}
			if (this.closed) {
				// Closed while this thread opened or checked the connection.
				this.source.close();
				throw closedException();
			}
			ConnectionHandle handle = null;
			if (borrow) {
				handle = new ConnectionHandle(this.owner, usable, true, TransactionCharacteristics.of(options),
						this.serverNotices.ifEnabled());
				if (!this.settings.autoCommit()) {
					usable.connection().setAutoCommit(true);
				}
			}
			this.scope.attach(usable, handle, this.holdMonitor.start(Thread.currentThread(), now, usable));
			this.metricsTracker.acquired(readyNanos - startNanos);
			this.cancelGate.open(scopeNumber);
			entered = true;
		}
		finally {
			if (!entered) {
				// Whatever failed, a metrics tracker included, the caller holds nothing.
				try {
					this.scope.endHold();
				}
				finally {
					this.scope.clear();
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
			throw new SQLException("Interrupted while waiting for " + this.owner + "; the interrupt flag is kept", ex);
		}
		this.metricsTracker.timedOut();
		Thread holder = this.scope.holder();
		// Read after the holder: a hold set by another thread since then gives no site.
		HoldMonitor.AcquisitionSite site = (holder != null) ? this.scope.hold().acquisitionSite(holder) : null;
		PhysicalConnection current = this.source.current();
		throw AcquireTimeoutException.afterWaiting(this.owner, timeoutNanos, holder,
				System.nanoTime() - this.scope.acquiredAtNanos(),
				(current != null && !current.isClosed()) ? current.backendPid() : -1, site, this.lock.getQueueLength(),
				this.source.lastConnectError());
	}

	/**
	 * End the scope that {@link #execute} began, after its action. A scope the action began
	 * with {@link #acquire} and did not end is ended with it, and fails the call.
	 */
	void endOwnScope(@Nullable Throwable failure) throws SQLException {
		if (!this.lock.isHeldByCurrentThread()) {
			IllegalStateException released = new IllegalStateException("The scope of this execute(...) on " + this.owner
					+ " was ended inside it by a release() without a matching acquire()");
			if (failure == null) {
				throw released;
			}
			failure.addSuppressed(released);
			return;
		}
		int leaked = this.scope.depth() - 1;
		if (leaked == 0) {
			endScope(failure);
			return;
		}
		IllegalStateException problem = new IllegalStateException("The action of this execute(...) on " + this.owner
				+ " called acquire() " + leaked + " time(s) more than release(): every acquire() needs its release() "
				+ "(or releaseAfterFailure()) before the action returns; the scope has been ended and its transaction "
				+ "rolled back");
		this.scope.resetDepth();
		if (failure != null) {
			failure.addSuppressed(problem);
			endScope(failure);
			return;
		}
		endScope(problem);
		throw problem;
	}

	/**
	 * End the outermost scope (see {@link ScopeEnd}) and release the lock, whatever is thrown.
	 * @param failure what the holder threw, or {@code null} after a normal return; problems
	 * ending the scope are added to it as suppressed exceptions
	 * @throws SQLException after a normal return, if committing or ending the transaction failed
	 * @throws OpenTransactionException after a normal return with a transaction left open
	 */
	void endScope(@Nullable Throwable failure) throws SQLException {
		PhysicalConnection current = this.scope.physical();
		ConnectionHandle ending = this.scope.handle();
		long acquiredAtNanos = this.scope.acquiredAtNanos();
		Disposal disposal = Disposal.ABORT;
		long releasedAtNanos;
		try {
			this.scope.endHold();
			this.cancelGate.close();
			this.scopeEnd.end(current, ending, this.scope.options(), failure);
			disposal = this.scopeEnd.disposal();
		}
		finally {
			releasedAtNanos = unlock(ending, disposal);
		}
		this.metricsTracker.released(releasedAtNanos - acquiredAtNanos);
		if (disposal != Disposal.KEEP) {
			logger.debug("Closed the physical connection of {} (backend PID {}): {}", this.owner, current.backendPid(),
					this.scopeEnd.reason());
		}
		this.scopeEnd.report(failure);
	}

	/**
	 * Dispose of the physical connection as the ending scope decided, and release the lock,
	 * whatever is thrown: nothing here logs or allocates before the unlock.
	 * @return when the scope ended, as {@link System#nanoTime()}: the one clock read of a
	 * scope's end, which costs as much as the rest of an uncontended release
	 */
	private long unlock(@Nullable ConnectionHandle ending, Disposal disposal) {
		long now = System.nanoTime();
		try {
			if (ending != null) {
				ending.invalidate();
			}
			this.source.markUsed(now);
			if (disposal == Disposal.ABORT) {
				this.source.abort();
			}
			else if (disposal == Disposal.CLOSE || this.source.isCloseRequested()) {
				this.source.close();
			}
			else {
				// What other threads report until the next holder runs a statement.
				this.scope.physical().status();
			}
		}
		finally {
			this.scope.clear();
			this.lock.unlock();
		}
		return now;
	}

	/**
	 * Give up the scope of the calling thread without ending it, when ending it failed: the
	 * physical connection is aborted, so the server rolls back what was open.
	 */
	void abandonScope() {
		try {
			this.cancelGate.clear();
			this.source.abort();
		}
		finally {
			this.scope.clear();
			this.lock.unlock();
		}
	}

	private SQLException closedException() {
		return new SQLNonTransientConnectionException(
				"Cannot acquire " + this.owner + ": it was closed for good, as when its application context closed", "08003");
	}

	void requireHeld() {
		if (!this.lock.isHeldByCurrentThread()) {
			throw new IllegalStateException(noScopeMessage());
		}
	}

	String noScopeMessage() {
		return "Thread '" + Thread.currentThread().getName() + "' does not hold " + this.owner
				+ ": use it inside ManagedConnection.execute(...) or a method annotated with @ExclusiveConnection";
	}

}
