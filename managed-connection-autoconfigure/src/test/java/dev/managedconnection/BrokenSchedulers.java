package dev.managedconnection;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Executors for a {@link Scheduler} that is broken on purpose, as the expiry task of a
 * {@link ConnectionLock} must survive. Shut each down after the test.
 */
final class BrokenSchedulers {

	private BrokenSchedulers() {
	}

	/**
	 * Return an executor that refuses every task.
	 * @return the executor
	 */
	static ScheduledThreadPoolExecutor rejecting() {
		return new ScheduledThreadPoolExecutor(1) {

			@Override
			public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
				throw new RejectedExecutionException("broken on purpose");
			}

		};
	}

	/**
	 * Return an executor that runs the first task and then fails with an {@link Error}, as one
	 * that cannot start a thread does.
	 * @param schedules counts the attempts to schedule
	 * @return the executor
	 */
	static ScheduledThreadPoolExecutor failingAfterFirst(AtomicInteger schedules) {
		return new ScheduledThreadPoolExecutor(1) {

			@Override
			public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
				if (schedules.incrementAndGet() > 1) {
					throw new OutOfMemoryError("unable to create native thread: broken on purpose");
				}
				return super.schedule(command, delay, unit);
			}

		};
	}

	/**
	 * Return an executor that accepts every task and never runs it, as one whose thread died.
	 * @return the executor
	 */
	static ScheduledThreadPoolExecutor dropping() {
		return new ScheduledThreadPoolExecutor(1) {

			@Override
			public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
				return super.schedule(() -> {
				}, delay, unit);
			}

		};
	}

}
