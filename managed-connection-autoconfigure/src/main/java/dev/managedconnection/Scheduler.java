package dev.managedconnection;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread, shared by every managed connection, for what must happen later. Started on
 * first use, it ends after a while with nothing scheduled, so nothing needs closing, and
 * cancelled tasks leave its queue at once.
 */
final class Scheduler {

	/**
	 * Leak reports and max-hold cancels. A cancel opens a connection to the server and may block
	 * for as long as pgjdbc's cancel timeout.
	 */
	static final Scheduler HOLDS = new Scheduler("managed-connection-hold-monitor");

	/**
	 * The ends of acquire timeouts: never delayed by a cancel that blocks.
	 */
	static final Scheduler ACQUIRE_TIMEOUTS = new Scheduler("managed-connection-acquire-timeout");

	/**
	 * The idle polls for notifications. A poll may open a connection.
	 */
	static final Scheduler NOTIFICATION_POLLS = new Scheduler("managed-connection-notification-poll");

	private final ScheduledExecutorService executor;

	private Scheduler(String threadName) {
		ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, (runnable) -> {
			Thread thread = new Thread(runnable, threadName);
			thread.setDaemon(true);
			return thread;
		});
		executor.setRemoveOnCancelPolicy(true);
		executor.setKeepAliveTime(10, TimeUnit.SECONDS);
		// The last worker only times out with an empty queue, so no task is left without a thread.
		executor.allowCoreThreadTimeOut(true);
		this.executor = executor;
	}

	/**
	 * Create a scheduler on the given executor, for tests that need one that fails.
	 * @param executor the executor
	 */
	Scheduler(ScheduledExecutorService executor) {
		this.executor = executor;
	}

	ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
		return this.executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
	}

}
