package dev.managedconnection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Ties {@link ManagedConnection#cancel()} to the scope it was issued in. PostgreSQL cancels
 * whatever statement the backend runs when the cancel request arrives: one still on its way as
 * its scope ends would cancel the next holder's statement. So a scope that ends waits for a
 * cancel in flight, and a cancel issued once its scope has begun to end does nothing. The
 * holder's part costs one volatile write as the scope begins and one write and one read as it
 * ends.
 */
final class CancelGate {

	/**
	 * The number of the scope whose statement a cancel may hit, or zero from the moment the
	 * scope begins to end.
	 */
	private static final VarHandle CANCELLABLE = FieldHandles.of(MethodHandles.lookup(), "cancellable", long.class);

	private volatile long cancellable;

	private final AtomicInteger inFlight = new AtomicInteger();

	private final ReentrantLock gate = new ReentrantLock();

	/**
	 * Let cancels reach the statements of a scope that has just begun.
	 * @param scopeNumber the scope's number, not zero
	 */
	void open(long scopeNumber) {
		// A release store, without the fence of a volatile write: on the hot path, and a cancel
		// racing with the scope's start has no statement to cancel yet. Closing needs the fence.
		CANCELLABLE.setRelease(this, scopeNumber);
	}

	/**
	 * Stop cancels for the scope that is ending, and wait for one on its way.
	 */
	void close() {
		this.cancellable = 0;
		// Written before read, as the canceller increments before it reads: one of the two sees
		// the other, so no cancel slips past.
		if (this.inFlight.get() != 0) {
			this.gate.lock();
			this.gate.unlock();
		}
	}

	/**
	 * Forget the scope without waiting, as when its thread is gone.
	 */
	void clear() {
		this.cancellable = 0;
	}

	/**
	 * Cancel the statement of the current scope, if one is running and the scope is not
	 * ending.
	 * @param connection the physical connection of the scope
	 * @throws SQLException if the cancel request could not be sent
	 */
	void cancel(PhysicalConnection connection) throws SQLException {
		long scope = this.cancellable;
		if (scope == 0) {
			return;
		}
		this.inFlight.incrementAndGet();
		this.gate.lock();
		try {
			if (this.cancellable == scope && !connection.isClosed()) {
				connection.cancel();
			}
		}
		finally {
			this.gate.unlock();
			this.inFlight.decrementAndGet();
		}
	}

}
