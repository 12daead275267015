package dev.managedconnection.testsupport;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * {@link CompletableFuture#runAsync} and {@link CompletableFuture#supplyAsync} on a new thread
 * per task. Tests run holders and waiters that block: on the common pool, which has one thread
 * on a 2-core machine and which JDK 21 and later use even then (JDK 17 started a thread per
 * task instead), a blocked holder keeps the next task from ever starting.
 */
public final class ThreadPerTask {

	private static final Executor EXECUTOR = (task) -> {
		Thread thread = new Thread(task, "test-task");
		// A task a failed test left blocked must not keep the test JVM alive.
		thread.setDaemon(true);
		thread.start();
	};

	private ThreadPerTask() {
	}

	/**
	 * Run a task on a thread of its own.
	 * @param task the task
	 * @return its future
	 */
	public static CompletableFuture<Void> runAsync(Runnable task) {
		return CompletableFuture.runAsync(task, EXECUTOR);
	}

	/**
	 * Compute a value on a thread of its own.
	 * @param <T> the value's type
	 * @param supplier what computes it
	 * @return its future
	 */
	public static <T> CompletableFuture<T> supplyAsync(Supplier<T> supplier) {
		return CompletableFuture.supplyAsync(supplier, EXECUTOR);
	}

}
