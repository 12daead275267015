package dev.managedconnection;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.managedconnection.InvalidSettingException.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the bounded bypass of {@link ConnectionLock}: threads that find the lock free may
 * take it ahead of a waiter at most the limit's number of times before the waiter is served. A
 * pure unit, no database; no timing assertions.
 */
@Timeout(60)
class ConnectionLockBypassTests {

	private static final long LONG = TimeUnit.SECONDS.toNanos(30);

	@Test
	void aWaiterIsServedWithinTheLimitWhileOthersHammerReleaseAndReacquire() throws Exception {
		for (int limit : new int[] { 0, 1, 8 }) {
			for (int round = 0; round < 20; round++) {
				assertThat(bypassesBeforeTheWaiterIsServed(limit, 4)).isLessThanOrEqualTo(limit);
			}
		}
	}

	@Test
	void manyThreadsNeverHoldTheLockTogetherAndAllAreServed() throws Exception {
		ConnectionLock lock = new ConnectionLock(2, Scheduler.ACQUIRE_TIMEOUTS, ConnectionLock.OwnerLost.UNLOCK);
		AtomicInteger inside = new AtomicInteger();
		AtomicInteger overlaps = new AtomicInteger();
		int[] counter = new int[1];
		List<CompletableFuture<Integer>> workers = new ArrayList<>();
		for (int t = 0; t < 8; t++) {
			boolean queues = t % 2 == 0;
			workers.add(CompletableFuture.supplyAsync(() -> {
				int done = 0;
				while (done < 2_000) {
					// Half the threads only ever try a free lock, the others wait in the queue.
					if (!tryLock(lock, queues ? LONG : 0)) {
						Thread.onSpinWait();
						continue;
					}
					try {
						if (inside.incrementAndGet() != 1) {
							overlaps.incrementAndGet();
						}
						counter[0]++;
						done++;
						inside.decrementAndGet();
					}
					finally {
						lock.unlock();
					}
				}
				return done;
			}, ConnectionLockBypassTests::startThread));
		}
		for (CompletableFuture<Integer> worker : workers) {
			assertThat(worker.get(50, TimeUnit.SECONDS)).isEqualTo(2_000);
		}
		assertThat(overlaps).hasValue(0);
		assertThat(counter[0]).isEqualTo(16_000);
		assertThat(lock.getQueueLength()).isZero();
	}

	@Test
	void aNegativeLimitIsRefused() {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> ManagedConnection.builder().url("jdbc:postgresql://localhost/app").bypassLimit(-1).settings())
			.satisfies((ex) -> assertThat(ex.getMessage()).contains("bypassLimit")
				.contains(Rule.NOT_NEGATIVE.description()));
		assertThat(ManagedConnection.builder().url("jdbc:postgresql://localhost/app").settings().bypassLimit())
			.isEqualTo(ManagedConnectionSettings.DEFAULT_BYPASS_LIMIT);
	}

	/**
	 * Hold the lock, queue one waiter, start threads that take the free lock with
	 * {@code tryLock(0)} as fast as they can (they never queue, so every time one of them gets
	 * it the waiter is bypassed), release, and count their acquisitions until the waiter has
	 * the lock.
	 */
	private static int bypassesBeforeTheWaiterIsServed(int limit, int hammers) throws Exception {
		ConnectionLock lock = new ConnectionLock(limit, Scheduler.ACQUIRE_TIMEOUTS, ConnectionLock.OwnerLost.UNLOCK);
		assertThat(lock.tryLock(0)).isTrue();
		AtomicInteger bypasses = new AtomicInteger();
		AtomicBoolean served = new AtomicBoolean();
		CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> {
			if (!tryLock(lock, LONG)) {
				return -1;
			}
			try {
				served.set(true);
				// Read while holding the lock: no hammering thread can count meanwhile.
				return bypasses.get();
			}
			finally {
				lock.unlock();
			}
		}, ConnectionLockBypassTests::startThread);
		await().until(() -> lock.getQueueLength() == 1);
		CountDownLatch hammering = new CountDownLatch(hammers);
		List<CompletableFuture<Void>> hammerers = new ArrayList<>();
		for (int i = 0; i < hammers; i++) {
			hammerers.add(CompletableFuture.runAsync(() -> {
				hammering.countDown();
				while (!served.get()) {
					if (tryLock(lock, 0)) {
						// The waiter queued before any of these threads started: each hold is a bypass.
						if (!served.get()) {
							bypasses.incrementAndGet();
						}
						lock.unlock();
					}
					else {
						Thread.onSpinWait();
					}
				}
			}, ConnectionLockBypassTests::startThread));
		}
		hammering.await();
		lock.unlock();
		int counted = waiter.get(30, TimeUnit.SECONDS);
		for (CompletableFuture<Void> hammerer : hammerers) {
			hammerer.get(30, TimeUnit.SECONDS);
		}
		assertThat(counted).isNotNegative();
		return counted;
	}

	private static boolean tryLock(ConnectionLock lock, long timeoutNanos) {
		try {
			return lock.tryLock(timeoutNanos);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static void startThread(Runnable task) {
		Thread thread = new Thread(task, "bypass-test");
		thread.setDaemon(true);
		thread.start();
	}

}
