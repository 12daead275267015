package dev.managedconnection.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * Runs one configuration from a number of threads that loop as fast as they can (the workload's
 * work before the scope, then the configuration's operation): a warm-in
 * period that is not recorded, then a measurement window in which each thread counts its
 * operations and records their latencies, with the CPU time of the JVM and of the backends and
 * the JVM's context switches read at both ends of the window.
 */
final class LoadRun {

	private static final int WARMING = 0;

	private static final int MEASURING = 1;

	private static final int STOPPED = 2;

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(120);

	private final Subject subject;

	private final Workload workload;

	private final ThreadKind kind;

	private final int threads;

	private volatile int phase = WARMING;

	private volatile @Nullable Throwable failure;

	LoadRun(Subject subject, Workload workload, ThreadKind kind, int threads) {
		this.subject = subject;
		this.workload = workload;
		this.kind = kind;
		this.threads = threads;
	}

	/**
	 * Run the configuration and measure it.
	 * @param warmIn how long the threads run before the window opens
	 * @param window how long the window stays open
	 * @param backendCpu reads the CPU time of the configuration's backends, in nanoseconds
	 * @return the measurement
	 * @throws Exception if an operation failed or the threads did not stop
	 */
	Measurement measure(Duration warmIn, Duration window, LongSupplier backendCpu) throws Exception {
		CountDownLatch start = new CountDownLatch(1);
		CountDownLatch stopped = new CountDownLatch(this.threads);
		CountDownLatch exit = new CountDownLatch(1);
		List<Worker> workers = new ArrayList<>(this.threads);
		List<Thread> started = new ArrayList<>(this.threads);
		try {
			for (int i = 0; i < this.threads; i++) {
				Worker worker = new Worker(start, stopped, exit);
				workers.add(worker);
				Thread thread = this.kind.newThread("bench-" + i, worker);
				thread.start();
				started.add(thread);
			}
			start.countDown();
			sleep(warmIn);
			JvmThreads jvmBefore = JvmThreads.snapshot();
			long backendCpuBefore = backendCpu.getAsLong();
			long windowStart = System.nanoTime();
			this.phase = MEASURING;
			sleep(window);
			this.phase = STOPPED;
			long windowNanos = System.nanoTime() - windowStart;
			// The operations that started in the window finish first; the threads stay alive
			// until their CPU time has been read.
			if (!stopped.await(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException("Benchmark threads did not stop within " + STOP_TIMEOUT);
			}
			long backend = backendCpu.getAsLong() - backendCpuBefore;
			JvmThreads jvmAfter = JvmThreads.snapshot();
			long jvmCpu = jvmAfter.cpuNanosSince(jvmBefore);
			long switches = jvmAfter.contextSwitchesSince(jvmBefore);
			exit.countDown();
			awaitExited(started);
			Throwable failed = this.failure;
			if (failed != null) {
				throw new IllegalStateException("An operation failed: " + failed, failed);
			}
			return summarize(workers, windowNanos, jvmCpu, backend, switches);
		}
		finally {
			this.phase = STOPPED;
			start.countDown();
			exit.countDown();
		}
	}

	private static Measurement summarize(List<Worker> workers, long windowNanos, long jvmCpu, long backendCpu,
			long switches) {
		LatencyHistogram latencies = new LatencyHistogram();
		long operations = 0;
		long fewest = Long.MAX_VALUE;
		long most = 0;
		for (Worker worker : workers) {
			latencies.add(worker.latencies);
			operations += worker.operations;
			fewest = Math.min(fewest, worker.operations);
			most = Math.max(most, worker.operations);
		}
		return new Measurement(operations, windowNanos, fewest, most, latencies, jvmCpu, backendCpu, switches);
	}

	private static void awaitExited(List<Thread> threads) throws InterruptedException {
		long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
		for (Thread thread : threads) {
			long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
			if (leftMillis > 0) {
				thread.join(leftMillis);
			}
			if (thread.isAlive()) {
				throw new IllegalStateException("Benchmark threads did not stop within " + STOP_TIMEOUT);
			}
		}
	}

	private static void sleep(Duration duration) throws InterruptedException {
		Thread.sleep(duration.toMillis());
	}

	/**
	 * One benchmark thread: loops until stopped, counting and timing only the operations that
	 * start inside the window, then waits to be let go.
	 */
	private final class Worker implements Runnable {

		private final CountDownLatch start;

		private final CountDownLatch stopped;

		private final CountDownLatch exit;

		private final LatencyHistogram latencies = new LatencyHistogram();

		private long operations;

		Worker(CountDownLatch start, CountDownLatch stopped, CountDownLatch exit) {
			this.start = start;
			this.stopped = stopped;
			this.exit = exit;
		}

		@Override
		public void run() {
			try {
				this.start.await();
				Subject subject = LoadRun.this.subject;
				Workload workload = LoadRun.this.workload;
				int current;
				while ((current = LoadRun.this.phase) != STOPPED) {
					long began = System.nanoTime();
					// A request's own work without the connection is part of its latency.
					workload.beforeScope();
					subject.perform();
					long took = System.nanoTime() - began;
					if (current == MEASURING) {
						this.operations++;
						this.latencies.record(took);
					}
				}
			}
			catch (Throwable ex) {
				LoadRun.this.failure = ex;
				LoadRun.this.phase = STOPPED;
			}
			finally {
				this.stopped.countDown();
			}
			try {
				this.exit.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
