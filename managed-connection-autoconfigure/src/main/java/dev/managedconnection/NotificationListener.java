package dev.managedconnection;

/**
 * Receives the notifications of a channel; see {@link ManagedConnection#listen}. Called on the
 * managed connection's notification thread, one notification at a time in the order the server
 * sent them, never while the connection is held: a listener may use the managed connection.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface NotificationListener {

	/**
	 * A notification arrived.
	 * @param notification the notification
	 */
	void onNotification(Notification notification);

	/**
	 * The managed connection listens on the channel again after it had to open a new
	 * connection: notifications sent while there was none are lost, as PostgreSQL delivers them
	 * only to sessions listening when they are sent. Resynchronise here, by reading the state the
	 * notifications were about, say.
	 * @param channel the channel
	 */
	default void onResubscribed(String channel) {
	}

}
