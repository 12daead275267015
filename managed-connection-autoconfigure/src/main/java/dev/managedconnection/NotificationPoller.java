package dev.managedconnection;

import java.sql.SQLException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks for notifications while no thread holds or waits for the connection, every poll
 * interval while a channel is listened on (a holder's release looks for them too). A poll takes
 * the lock only when it is free and nobody waits, and holds it for one non-blocking read, or for
 * the {@code LISTEN} a new subscription needs. When the connection broke while idle, the poll
 * opens a new one, backing off from 50 ms to a second between attempts, so that notifications
 * resume without any caller.
 */
final class NotificationPoller {

	private static final Logger logger = LoggerFactory.getLogger(ManagedConnection.class);

	private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final Object owner;

	private final ScopeLifecycle scopes;

	private final Notifications notifications;

	private final long intervalNanos;

	private final long connectTimeoutNanos;

	private @Nullable ScheduledFuture<?> next;

	/** Whether a poll is scheduled or running: one chain of polls at a time. */
	private boolean polling;

	private boolean stopped;

	// Only the poll task touches these, one run at a time.

	private long backoffNanos = FIRST_BACKOFF_NANOS;

	private long reconnectAtNanos;

	NotificationPoller(Object owner, ScopeLifecycle scopes, Notifications notifications,
			ManagedConnectionSettings settings) {
		this.owner = owner;
		this.scopes = scopes;
		this.notifications = notifications;
		this.intervalNanos = settings.notificationPollInterval().toNanos();
		this.connectTimeoutNanos = settings.connectTimeout().toNanos();
	}

	/**
	 * Poll at once, and every interval from then on while a channel is listened on; polls
	 * already going on go on.
	 */
	synchronized void start() {
		if (this.stopped || this.polling) {
			return;
		}
		this.polling = true;
		this.next = Scheduler.NOTIFICATION_POLLS.schedule(this::poll, 0);
	}

	/**
	 * Stop polling, as the managed connection closes for good.
	 */
	synchronized void stop() {
		this.stopped = true;
		ScheduledFuture<?> scheduled = this.next;
		if (scheduled != null) {
			scheduled.cancel(false);
		}
	}

	private void poll() {
		try {
			if (!this.notifications.isActive() || this.scopes.isClosedForGood()) {
				return;
			}
			ConnectionLock lock = this.scopes.lock();
			// Fair, the lock is not taken ahead of a waiter; no waiter waits for more than this poll.
			if (lock.getQueueLength() == 0 && lock.tryLock(0)) {
				try {
					pollHolding();
				}
				finally {
					lock.unlock();
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not look for notifications on {}", this.owner, ex);
		}
		finally {
			scheduleNext();
		}
	}

	private synchronized void scheduleNext() {
		this.polling = !this.stopped && this.notifications.isActive();
		if (this.polling) {
			this.next = Scheduler.NOTIFICATION_POLLS.schedule(this::poll, this.intervalNanos);
		}
	}

	private void pollHolding() {
		ConnectionSource source = this.scopes.source();
		PhysicalConnection current = source.current();
		if (current == null || current.isClosed()) {
			if (current != null) {
				source.close();
			}
			reconnect(source);
			return;
		}
		try {
			if (this.notifications.isPending()) {
				this.notifications.sync(current);
			}
			this.notifications.collect(current);
		}
		catch (SQLException ex) {
			if (current.isClosed() || BrokenConnections.isBroken(ex)) {
				logger.debug("The connection of {} broke while idle; opening a new one to keep listening", this.owner, ex);
				source.close();
				reconnect(source);
			}
			else {
				logger.warn("Could not listen on the channels of {}", this.owner, ex);
			}
		}
	}

	private void reconnect(ConnectionSource source) {
		long now = System.nanoTime();
		if (now - this.reconnectAtNanos < 0) {
			return;
		}
		try {
			// Opening listens on the channels again and tells their listeners.
			source.ready(now, now + this.connectTimeoutNanos);
			this.backoffNanos = FIRST_BACKOFF_NANOS;
		}
		catch (SQLException ex) {
			this.reconnectAtNanos = System.nanoTime() + this.backoffNanos;
			this.backoffNanos = Math.min(this.backoffNanos * 2, MAX_BACKOFF_NANOS);
			logger.debug("Could not open a connection for the channels of {}; trying again in {} ms", this.owner,
					TimeUnit.NANOSECONDS.toMillis(this.backoffNanos), ex);
		}
	}

}
