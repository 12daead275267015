package dev.managedconnection;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A snapshot of a {@link ManagedConnection}, read without waiting for the holder and without a
 * round trip.
 *
 * @param open whether a physical connection is open
 * @param backendPid the server process serving it, or {@code -1} when closed
 * @param serverVersion the server version, or {@code null} when closed
 * @param status the transaction status
 * @param holderThread the name of the thread holding the connection, or {@code null} when free
 * @param heldFor how long the holder has held it ({@link Duration#ZERO} when free)
 * @param waitingThreads an estimate of how many threads wait for it
 * @since 0.1.0
 */
public record ConnectionState(boolean open, int backendPid, @Nullable String serverVersion, TransactionStatus status,
		@Nullable String holderThread, Duration heldFor, int waitingThreads) {

	static ConnectionState snapshot(@Nullable PhysicalConnection current, Scope scope, TransactionStatus status,
			int waitingThreads) {
		PhysicalConnection open = (current != null && !current.isClosed()) ? current : null;
		Thread holder = scope.holder();
		Duration heldFor = (holder != null) ? Duration.ofNanos(System.nanoTime() - scope.acquiredAtNanos())
				: Duration.ZERO;
		return new ConnectionState(open != null, (open != null) ? open.backendPid() : -1,
				(open != null) ? open.serverVersion() : null, status, (holder != null) ? holder.getName() : null,
				heldFor, waitingThreads);
	}

}
