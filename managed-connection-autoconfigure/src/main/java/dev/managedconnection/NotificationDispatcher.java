package dev.managedconnection;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands notifications to their listeners on one daemon thread of its own, in the order they
 * came: never on a thread that holds the connection, so a listener may use it, and never holding
 * the connection up, as the queue between is bounded: when it is full, a notification is dropped,
 * counted and logged rather than waited for.
 */
final class NotificationDispatcher {

	private static final Logger logger = LoggerFactory.getLogger(ManagedConnection.class);

	static final int CAPACITY = 10_000;

	private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

	private final String threadName;

	private final Function<String, List<NotificationListener>> listeners;

	private final MetricsTracker metricsTracker;

	private final int capacity;

	private final BlockingQueue<Object> queue;

	private final AtomicLong dropped = new AtomicLong();

	private volatile long droppedLoggedAtNanos = System.nanoTime() - DROP_LOG_INTERVAL_NANOS;

	private volatile @Nullable Thread thread;

	private volatile boolean closed;

	NotificationDispatcher(String threadName, Function<String, List<NotificationListener>> listeners,
			MetricsTracker metricsTracker) {
		this(threadName, listeners, metricsTracker, CAPACITY);
	}

	NotificationDispatcher(String threadName, Function<String, List<NotificationListener>> listeners,
			MetricsTracker metricsTracker, int capacity) {
		this.capacity = capacity;
		this.queue = new ArrayBlockingQueue<>(capacity);
		this.threadName = threadName;
		this.listeners = listeners;
		this.metricsTracker = metricsTracker;
	}

	/**
	 * Hand a notification to the listeners of its channel.
	 * @param notification the notification
	 */
	void deliver(Notification notification) {
		enqueue(notification, notification.channel());
	}

	/**
	 * Tell the listeners of a channel that it is listened on again, on a new connection.
	 * @param channel the channel
	 */
	void resubscribed(String channel) {
		enqueue(new Resubscribed(channel), channel);
	}

	private void enqueue(Object event, String channel) {
		if (this.closed) {
			return;
		}
		start();
		if (this.queue.offer(event)) {
			return;
		}
		long count = this.dropped.incrementAndGet();
		this.metricsTracker.notificationDropped();
		long now = System.nanoTime();
		long loggedAt = this.droppedLoggedAtNanos;
		if (now - loggedAt >= DROP_LOG_INTERVAL_NANOS) {
			this.droppedLoggedAtNanos = now;
			logger.warn("Dropped a notification on channel '{}': the listeners are {} notifications behind ({} dropped "
					+ "so far); a listener that takes long should hand its work to another thread", channel, this.capacity,
					count);
		}
	}

	private void start() {
		if (this.thread != null) {
			return;
		}
		synchronized (this) {
			if (this.thread == null && !this.closed) {
				Thread started = new Thread(this::run, this.threadName);
				started.setDaemon(true);
				started.start();
				this.thread = started;
			}
		}
	}

	/**
	 * Stop the thread; notifications not yet handed on are dropped.
	 */
	void close() {
		this.closed = true;
		Thread running;
		synchronized (this) {
			running = this.thread;
		}
		if (running != null) {
			running.interrupt();
		}
	}

	private void run() {
		while (!this.closed) {
			Object event;
			try {
				event = this.queue.take();
			}
			catch (InterruptedException ex) {
				return;
			}
			if (event instanceof Notification notification) {
				dispatch(notification);
			}
			else if (event instanceof Resubscribed resubscribed) {
				for (NotificationListener listener : this.listeners.apply(resubscribed.channel())) {
					try {
						listener.onResubscribed(resubscribed.channel());
					}
					catch (Throwable ex) {
						logger.warn("Listener {} of channel '{}' threw on being resubscribed", listener,
								resubscribed.channel(), ex);
					}
				}
			}
		}
	}

	private void dispatch(Notification notification) {
		for (NotificationListener listener : this.listeners.apply(notification.channel())) {
			try {
				listener.onNotification(notification);
			}
			catch (Throwable ex) {
				// The other listeners still get the notification, and the thread goes on even
				// after an Error: were it to end, every channel would go silent.
				logger.warn("Listener {} of channel '{}' threw on a notification", listener, notification.channel(),
						ex);
			}
		}
		this.metricsTracker.notificationDelivered();
	}

	private record Resubscribed(String channel) {
	}

}
