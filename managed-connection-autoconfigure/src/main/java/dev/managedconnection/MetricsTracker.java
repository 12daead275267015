package dev.managedconnection;

/**
 * Receives the events of a {@link ManagedConnection} worth measuring. Called on the hot path:
 * implementations must be cheap and must not block.
 *
 * @since 0.1.0
 */
public interface MetricsTracker {

	/**
	 * A tracker that records nothing.
	 */
	MetricsTracker NONE = new MetricsTracker() {
	};

	/**
	 * The managed connection this tracker measures was built; called by
	 * {@link ManagedConnectionBuilder#build()} before any other event. A tracker can keep it to
	 * read {@link ManagedConnection#state()}, for gauges say, but must not acquire it here.
	 * @param connection the managed connection
	 */
	default void built(ManagedConnection connection) {
	}

	/**
	 * A thread acquired the connection (outermost scope only).
	 * @param waitNanos how long it waited, including opening the connection
	 */
	default void acquired(long waitNanos) {
	}

	/**
	 * A thread released the connection (outermost scope only).
	 * @param heldNanos how long it held the connection
	 */
	default void released(long heldNanos) {
	}

	/**
	 * A thread gave up waiting for the connection.
	 */
	default void timedOut() {
	}

	/**
	 * A closed or broken physical connection was replaced by a new one.
	 */
	default void reconnected() {
	}

	/**
	 * The session was reset with {@code DISCARD ALL} after a scope that may have changed it
	 * ({@link SessionReset#DISCARD_ALL}).
	 */
	default void sessionDiscarded() {
	}

	/**
	 * A notification was handed to the listeners of its channel.
	 */
	default void notificationDelivered() {
	}

	/**
	 * A notification was dropped: its listeners were too far behind.
	 */
	default void notificationDropped() {
	}

	/**
	 * A holder's transaction was rolled back on release.
	 * @param reason why
	 */
	default void rolledBack(RollbackReason reason) {
	}

}
