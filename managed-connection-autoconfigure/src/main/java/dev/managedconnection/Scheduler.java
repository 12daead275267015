package dev.managedconnection;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread shared by every managed connection for what must happen later: leak
 * reports, max-hold cancels and acquire timeouts. Started on first use, it ends after a while
 * with nothing scheduled, so nothing needs closing, and cancelled tasks leave its queue at once.
 */
final class Scheduler {

	private static final ScheduledThreadPoolExecutor executor = createExecutor();

	private Scheduler() {
	}

	static ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
		return executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
	}

	private static ScheduledThreadPoolExecutor createExecutor() {
		ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, (runnable) -> {
			Thread thread = new Thread(runnable, "managed-connection-scheduler");
			thread.setDaemon(true);
			return thread;
		});
		executor.setRemoveOnCancelPolicy(true);
		executor.setKeepAliveTime(10, TimeUnit.SECONDS);
		// The last worker only times out with an empty queue, so no task is left without a thread.
		executor.allowCoreThreadTimeOut(true);
		return executor;
	}

}
