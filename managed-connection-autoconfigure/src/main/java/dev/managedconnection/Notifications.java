package dev.managedconnection;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;
import org.postgresql.PGNotification;

/**
 * The channels a {@link ManagedConnection} listens on for its subscribers. Keeps the session's
 * {@code LISTEN} registrations in step with the subscriptions (after a session reset and on a
 * new connection too), collects what the server sent and hands it to the
 * {@link NotificationDispatcher}. The methods that talk to the session run with the connection's
 * lock held, by a holder as its scope ends or by the idle {@link NotificationPoller}.
 */
final class Notifications {

	/** PostgreSQL truncates longer names (NAMEDATALEN - 1), so their notifications would not match. */
	private static final int MAX_CHANNEL_BYTES = 63;

	private final ConcurrentHashMap<String, CopyOnWriteArrayList<NotificationListener>> subscribers = new ConcurrentHashMap<>();

	private final NotificationDispatcher dispatcher;

	/**
	 * Whether a channel is subscribed or still listened on: when not, a scope's end skips all of
	 * this at the cost of one volatile read.
	 */
	private volatile boolean active;

	/** Whether the subscriptions changed since the session was brought in step. */
	private volatile boolean pending;

	// Guarded by the connection's lock.

	/** The channels the current session listens on. */
	private final Set<String> listening = new HashSet<>();

	/** The channels an earlier session listened on, whose listeners must hear that it was lost. */
	private final Set<String> lost = new HashSet<>();

	Notifications(String threadName, MetricsTracker metricsTracker) {
		this.dispatcher = new NotificationDispatcher(threadName, this::listenersOf, metricsTracker);
	}

	/**
	 * Subscribe a listener to a channel; the session listens on it the next time the connection
	 * is held.
	 * @param channel the channel, any name up to 63 bytes
	 * @param listener the listener
	 * @return the subscription
	 */
	Subscription subscribe(String channel, NotificationListener listener) {
		if (channel.isEmpty() || channel.getBytes(StandardCharsets.UTF_8).length > MAX_CHANNEL_BYTES) {
			throw new IllegalArgumentException("'" + channel + "' is not a channel name PostgreSQL keeps as it is: "
					+ "a channel needs 1 to " + MAX_CHANNEL_BYTES + " bytes");
		}
		this.subscribers.compute(channel, (name, current) -> {
			CopyOnWriteArrayList<NotificationListener> listeners = (current != null) ? current
					: new CopyOnWriteArrayList<>();
			listeners.add(listener);
			return listeners;
		});
		this.active = true;
		this.pending = true;
		return new ChannelSubscription(channel, listener);
	}

	boolean isActive() {
		return this.active;
	}

	boolean isPending() {
		return this.pending;
	}

	List<NotificationListener> listenersOf(String channel) {
		List<NotificationListener> listeners = this.subscribers.get(channel);
		return (listeners != null) ? listeners : List.of();
	}

	/**
	 * Hand on what the server sent, without a round trip: pgjdbc only reads what has arrived.
	 * @param connection the physical connection
	 * @throws SQLException if the connection broke
	 */
	void collect(PhysicalConnection connection) throws SQLException {
		PGNotification[] arrived = connection.notifications();
		if (arrived == null) {
			return;
		}
		for (PGNotification notification : arrived) {
			// A channel the holder listened on by itself has no subscriber here.
			if (this.subscribers.containsKey(notification.getName())) {
				this.dispatcher.deliver(
						new Notification(notification.getName(), notification.getParameter(), notification.getPID()));
			}
		}
	}

	/**
	 * Return the statements that, with a session reset, make the session listen on exactly the
	 * subscribed channels: {@code LISTEN} on a channel already listened on does nothing, and
	 * the holder may have stopped listening on one.
	 * @return the statements, each starting with {@code ;}, or an empty string
	 */
	String listenAll() {
		StringBuilder commands = new StringBuilder();
		Set<String> subscribed = this.subscribers.keySet();
		for (String channel : subscribed) {
			commands.append("; LISTEN ").append(quote(channel));
		}
		for (String channel : this.listening) {
			if (!subscribed.contains(channel)) {
				commands.append("; UNLISTEN ").append(quote(channel));
			}
		}
		return commands.toString();
	}

	/**
	 * Bring the session's registrations in step with the subscriptions.
	 * @param connection the physical connection, out of any transaction
	 * @throws SQLException if the statements fail
	 */
	void sync(PhysicalConnection connection) throws SQLException {
		this.pending = false;
		StringBuilder commands = new StringBuilder();
		Set<String> subscribed = this.subscribers.keySet();
		for (String channel : subscribed) {
			if (!this.listening.contains(channel)) {
				commands.append("LISTEN ").append(quote(channel)).append(';');
			}
		}
		for (String channel : this.listening) {
			if (!subscribed.contains(channel)) {
				commands.append("UNLISTEN ").append(quote(channel)).append(';');
			}
		}
		if (commands.length() > 0) {
			try {
				connection.executeOutsideTransaction(commands.toString());
			}
			catch (SQLException | RuntimeException ex) {
				this.pending = true;
				throw ex;
			}
		}
		listened();
	}

	/**
	 * Record that the session now listens on exactly the subscribed channels.
	 */
	void listened() {
		this.listening.clear();
		this.listening.addAll(this.subscribers.keySet());
		this.active = !this.listening.isEmpty();
	}

	/**
	 * A new connection was opened: listen on every subscribed channel before anyone uses it, and
	 * tell the listeners of channels an earlier connection listened on that they may have missed
	 * notifications.
	 * @param connection the new physical connection
	 * @throws SQLException if the statements fail
	 */
	void opened(PhysicalConnection connection) throws SQLException {
		this.listening.clear();
		sync(connection);
		for (String channel : this.lost) {
			if (this.subscribers.containsKey(channel)) {
				this.dispatcher.resubscribed(channel);
			}
		}
		this.lost.clear();
	}

	/**
	 * The session ended: whatever it listened on is gone with it.
	 */
	void sessionLost() {
		this.lost.addAll(this.listening);
		this.listening.clear();
		this.active = !this.subscribers.isEmpty();
		this.pending = this.active;
	}

	/**
	 * Stop handing on notifications, as the managed connection closes for good.
	 */
	void close() {
		this.dispatcher.close();
	}

	/**
	 * Quote a channel name as an identifier, so that any name works.
	 */
	static String quote(String channel) {
		return '"' + channel.replace("\"", "\"\"") + '"';
	}

	private void unsubscribe(String channel, NotificationListener listener) {
		this.subscribers.computeIfPresent(channel, (name, listeners) -> {
			listeners.remove(listener);
			return listeners.isEmpty() ? null : listeners;
		});
		this.pending = true;
	}

	/**
	 * One listener's subscription to one channel.
	 */
	private final class ChannelSubscription implements Subscription {

		private final String channel;

		private @Nullable NotificationListener listener;

		ChannelSubscription(String channel, NotificationListener listener) {
			this.channel = channel;
			this.listener = listener;
		}

		@Override
		public synchronized void close() {
			NotificationListener closing = this.listener;
			if (closing != null) {
				this.listener = null;
				unsubscribe(this.channel, closing);
			}
		}

		@Override
		public String toString() {
			return "Subscription to channel '" + this.channel + "'" + ((this.listener == null) ? " (closed)" : "");
		}

	}

}
