package dev.managedconnection;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the connection back from a holder whose thread ended without releasing it: it borrowed
 * from the DataSource view and never closed the connection, say, or called {@code acquire()}
 * without {@code release()}. Called by the {@link ConnectionLock}, on the thread that found the
 * holder dead and now owns the lock: the physical connection is aborted, so the server rolls
 * back what the dead thread left open, and the lock released.
 */
final class DeadHolderReclaim implements ConnectionLock.OwnerLost {

	private static final Logger logger = LoggerFactory.getLogger(ManagedConnection.class);

	private final Object owner;

	private final ScopeLifecycle scopes;

	private final MetricsTracker metricsTracker;

	DeadHolderReclaim(Object owner, ScopeLifecycle scopes, MetricsTracker metricsTracker) {
		this.owner = owner;
		this.scopes = scopes;
		this.metricsTracker = metricsTracker;
	}

	@Override
	public void reclaim(Thread deadHolder) {
		Scope scope = this.scopes.scope();
		HoldMonitor.Hold lost = scope.hold();
		HoldMonitor.AcquisitionSite site = lost.acquisitionSite(deadHolder);
		PhysicalConnection current = this.scopes.source().current();
		try {
			ConnectionHandle ending = scope.handle();
			if (ending != null) {
				ending.invalidate();
			}
			this.scopes.cancelGate().clear();
			scope.endHold();
			this.scopes.source().abort();
		}
		finally {
			scope.clear();
			this.scopes.lock().unlock();
		}
		this.metricsTracker.rolledBack(RollbackReason.EXCEPTION);
		logger.error("Thread '{}' ended while it held {}: the connection was taken back and its physical connection "
				+ "(backend PID {}) aborted, so the server rolled back what the thread left open. End every scope, and "
				+ "close every connection borrowed from the DataSource view, before the thread ends.{}",
				deadHolder.getName(), this.owner, (current != null) ? current.backendPid() : -1,
				(site != null) ? " It acquired the connection here:"
						: " Set a leak-detection threshold to log where it acquired the connection.",
				site);
	}

}
