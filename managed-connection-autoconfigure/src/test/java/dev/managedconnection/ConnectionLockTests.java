package dev.managedconnection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ConnectionLock}: a pure unit, no database.
 */
@Timeout(30)
class ConnectionLockTests {

	private static final long LONG = TimeUnit.SECONDS.toNanos(20);

	private final List<Thread> started = new ArrayList<>();

	@AfterEach
	void stopThreads() throws InterruptedException {
		for (Thread thread : this.started) {
			thread.interrupt();
			thread.join(5_000);
		}
	}

	@Test
	void aFreeLockIsTakenAtOnceAndIsNotReentrant() throws InterruptedException {
		ConnectionLock lock = new ConnectionLock(true);
		assertThat(lock.tryLock(0)).isTrue();
		assertThat(lock.isHeldByCurrentThread()).isTrue();
		assertThat(lock.tryLock(0)).isFalse();
		lock.unlock();
		assertThat(lock.isHeldByCurrentThread()).isFalse();
		assertThat(lock.tryLock()).isTrue();
		lock.unlock();
	}

	@Test
	void fairLockServesWaitersInArrivalOrder() throws Exception {
		ConnectionLock lock = new ConnectionLock(true);
		assertThat(lock.tryLock(0)).isTrue();
		BlockingQueue<Integer> order = new ArrayBlockingQueue<>(10);
		// The first waiter keeps the lock until the check below: were all five served before
		// it, as a descheduled test thread on a loaded machine lets them be, the queue would be
		// empty and taking the free lock right.
		CountDownLatch checked = new CountDownLatch(1);
		for (int i = 0; i < 5; i++) {
			int number = i;
			start(() -> {
				if (lock.tryLock(LONG)) {
					order.add(number);
					checked.await(10, TimeUnit.SECONDS);
					lock.unlock();
				}
			});
			awaitQueueLength(lock, i + 1);
		}
		// Arriving now must not overtake the queue, even the instant the lock is free.
		lock.unlock();
		assertThat(lock.tryLock(0)).isFalse();
		checked.countDown();
		List<Integer> served = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			served.add(order.poll(10, TimeUnit.SECONDS));
		}
		assertThat(served).containsExactly(0, 1, 2, 3, 4);
		// Each waiter records its turn while it holds the lock: the last one may still hold it.
		joinStarted();
		assertThat(lock.tryLock(0)).isTrue();
		lock.unlock();
	}

	@Test
	void aWaiterTimesOutWhileTheLockIsHeldAndLeavesTheQueue() throws Exception {
		ConnectionLock lock = new ConnectionLock(true);
		assertThat(lock.tryLock(0)).isTrue();
		CompletableFuture<Boolean> waiter = supply(() -> lock.tryLock(TimeUnit.MILLISECONDS.toNanos(100)));
		assertThat(waiter.get(10, TimeUnit.SECONDS)).isFalse();
		assertThat(lock.getQueueLength()).isZero();
		lock.unlock();
		assertThat(lock.tryLock(0)).isTrue();
		lock.unlock();
	}

	@Test
	void aTimeoutOfCenturiesWaitsRatherThanWrappingIntoThePast() throws Exception {
		ConnectionLock lock = new ConnectionLock(true);
		assertThat(lock.tryLock(0)).isTrue();
		CompletableFuture<Boolean> patient = supply(() -> lock.tryLock(Long.MAX_VALUE));
		awaitQueueLength(lock, 1);
		// A negative check: nothing happens to wait for, the waiter must still be waiting a
		// moment later, so only a sleep can give it the chance to misbehave.
		Thread.sleep(50);
		assertThat(patient).isNotDone();
		lock.unlock();
		assertThat(patient.get(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void aShortDeadlineBehindALongOneStillTimesOutOnTime() throws Exception {
		ConnectionLock lock = new ConnectionLock(true);
		assertThat(lock.tryLock(0)).isTrue();
		CompletableFuture<Boolean> patient = supply(() -> lock.tryLock(LONG));
		awaitQueueLength(lock, 1);
		long start = System.nanoTime();
		CompletableFuture<Boolean> hasty = supply(() -> lock.tryLock(TimeUnit.MILLISECONDS.toNanos(200)));
		assertThat(hasty.get(10, TimeUnit.SECONDS)).isFalse();
		// Bounded far below the patient waiter's deadline: the expiry was brought forward.
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
		assertThat(patient).isNotDone();
		lock.unlock();
		assertThat(patient.get(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void aTimedOutWaiterDoesNotBlockThoseBehindIt() throws Exception {
		ConnectionLock lock = new ConnectionLock(true);
		assertThat(lock.tryLock(0)).isTrue();
		CompletableFuture<Boolean> hasty = supply(() -> lock.tryLock(TimeUnit.MILLISECONDS.toNanos(500)));
		awaitQueueLength(lock, 1);
		CompletableFuture<Boolean> patient = supply(() -> lockThenUnlock(lock));
		assertThat(hasty.get(10, TimeUnit.SECONDS)).isFalse();
		lock.unlock();
		assertThat(patient.get(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void anInterruptedWaiterLeavesTheQueueWithInterruptedException() throws Exception {
		ConnectionLock lock = new ConnectionLock(true);
		assertThat(lock.tryLock(0)).isTrue();
		CompletableFuture<Throwable> outcome = new CompletableFuture<>();
		Thread waiter = startWaiter(lock, outcome);
		awaitQueueLength(lock, 1);
		waiter.interrupt();
		assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
		assertThat(lock.getQueueLength()).isZero();
		lock.unlock();
		assertThat(lock.tryLock(0)).isTrue();
		lock.unlock();
	}

	@Test
	void anInterruptedThreadIsRefusedEvenAFreeLock() {
		ConnectionLock lock = new ConnectionLock(true);
		Thread.currentThread().interrupt();
		assertThatExceptionOfType(InterruptedException.class).isThrownBy(() -> lock.tryLock(0));
		assertThat(lock.isHeldByCurrentThread()).isFalse();
	}

	@Test
	void unfairLockLetsAnArrivingThreadTakeItAndStillServesEveryWaiter() throws Exception {
		ConnectionLock lock = new ConnectionLock(false);
		assertThat(lock.tryLock(0)).isTrue();
		List<CompletableFuture<Boolean>> waiters = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			waiters.add(supply(() -> lockThenUnlock(lock)));
			awaitQueueLength(lock, i + 1);
		}
		lock.unlock();
		for (CompletableFuture<Boolean> waiter : waiters) {
			assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
		}
		awaitQueueLength(lock, 0);
	}

	@Test
	void unfairLockWakesTheNextWaiterWhenTheWokenOneLeaves() throws Exception {
		for (int i = 0; i < 20; i++) {
			ConnectionLock lock = new ConnectionLock(false);
			assertThat(lock.tryLock(0)).isTrue();
			CompletableFuture<Throwable> first = new CompletableFuture<>();
			Thread firstWaiter = startWaiter(lock, first);
			awaitQueueLength(lock, 1);
			CompletableFuture<Boolean> second = supply(() -> lock.tryLock(LONG));
			awaitQueueLength(lock, 2);
			// The release wakes the first waiter, which leaves instead of taking the lock.
			firstWaiter.interrupt();
			lock.unlock();
			assertThat(first.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
			assertThat(second.get(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	@Test
	void aWaiterTimesOutOnTimeWhileTheHoldMonitorsThreadIsBusy() throws Exception {
		ConnectionLock lock = new ConnectionLock(true);
		assertThat(lock.tryLock(0)).isTrue();
		CountDownLatch release = new CountDownLatch(1);
		// As a max-hold cancel blocked on the network would.
		Scheduler.HOLDS.schedule(() -> {
			try {
				release.await(20, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}, 0);
		try {
			long start = System.nanoTime();
			CompletableFuture<Boolean> waiter = supply(() -> lock.tryLock(TimeUnit.MILLISECONDS.toNanos(200)));
			assertThat(waiter.get(10, TimeUnit.SECONDS)).isFalse();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
		}
		finally {
			release.countDown();
			lock.unlock();
		}
	}

	@Test
	void manyThreadsNeverHoldTheLockTogether() throws Exception {
		for (boolean fair : new boolean[] { true, false }) {
			ConnectionLock lock = new ConnectionLock(fair);
			AtomicInteger inside = new AtomicInteger();
			AtomicInteger overlaps = new AtomicInteger();
			int[] counter = new int[1];
			List<CompletableFuture<Boolean>> workers = new ArrayList<>();
			for (int t = 0; t < 8; t++) {
				workers.add(supply(() -> {
					for (int i = 0; i < 2_000; i++) {
						if (!lock.tryLock(LONG)) {
							return false;
						}
						try {
							if (inside.incrementAndGet() != 1) {
								overlaps.incrementAndGet();
							}
							counter[0]++;
							inside.decrementAndGet();
						}
						finally {
							lock.unlock();
						}
					}
					return true;
				}));
			}
			for (CompletableFuture<Boolean> worker : workers) {
				assertThat(worker.get(20, TimeUnit.SECONDS)).isTrue();
			}
			assertThat(overlaps).hasValue(0);
			assertThat(counter[0]).isEqualTo(16_000);
			assertThat(lock.getQueueLength()).isZero();
		}
	}

	@Test
	void anArrivingThreadTakesTheLockBackFromAnOwnerWhoseThreadEnded() throws Exception {
		List<Thread> reclaimed = new ArrayList<>();
		ConnectionLock lock = new ConnectionLock(0, Scheduler.ACQUIRE_TIMEOUTS, reclaimed::add);
		Thread owner = start(() -> assertThat(lock.tryLock(0)).isTrue());
		owner.join(10_000);
		assertThat(lock.tryLock(LONG)).isTrue();
		assertThat(reclaimed).containsExactly(owner);
		lock.unlock();
	}

	@Test
	void aWaiterGetsTheLockWhenItsOwnersThreadEndsWhileItWaits() throws Exception {
		List<Thread> reclaimed = new ArrayList<>();
		ConnectionLock lock = new ConnectionLock(0, Scheduler.ACQUIRE_TIMEOUTS, reclaimed::add);
		CountDownLatch locked = new CountDownLatch(1);
		CountDownLatch end = new CountDownLatch(1);
		Thread owner = start(() -> {
			assertThat(lock.tryLock(0)).isTrue();
			locked.countDown();
			end.await();
		});
		assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<Boolean> waiter = supply(() -> lockThenUnlock(lock));
		awaitQueueLength(lock, 1);
		end.countDown();
		owner.join(10_000);
		assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(reclaimed).containsExactly(owner);
	}

	@Test
	void waitersTimeOutWhenTheExpiryTaskCannotBeScheduled() throws Exception {
		ScheduledThreadPoolExecutor rejecting = BrokenSchedulers.rejecting();
		try {
			assertWaitersTimeOut(new ConnectionLock(true, new Scheduler(rejecting)));
		}
		finally {
			rejecting.shutdownNow();
		}
	}

	@Test
	void waitersTimeOutWhenTheExpiryTaskFailsToScheduleItsNextRun() throws Exception {
		// The first run is scheduled; the task then fails as it schedules its next one.
		AtomicInteger schedules = new AtomicInteger();
		ScheduledThreadPoolExecutor failingLater = BrokenSchedulers.failingAfterFirst(schedules);
		try {
			ConnectionLock lock = new ConnectionLock(true, new Scheduler(failingLater));
			assertThat(lock.tryLock(0)).isTrue();
			// The first deadline passes early, the second is left for the failed task to schedule.
			CompletableFuture<Boolean> first = supply(() -> lock.tryLock(TimeUnit.MILLISECONDS.toNanos(100)));
			awaitQueueLength(lock, 1);
			CompletableFuture<Boolean> second = supply(() -> lock.tryLock(TimeUnit.MILLISECONDS.toNanos(600)));
			assertThat(first.get(10, TimeUnit.SECONDS)).isFalse();
			assertThat(second.get(10, TimeUnit.SECONDS)).isFalse();
			assertThat(schedules).hasValueGreaterThan(1);
			lock.unlock();
		}
		finally {
			failingLater.shutdownNow();
		}
	}

	@Test
	void waitersTimeOutWhenTheExpiryTaskNeverRuns() throws Exception {
		ScheduledThreadPoolExecutor dropping = BrokenSchedulers.dropping();
		try {
			ConnectionLock lock = new ConnectionLock(true, new Scheduler(dropping));
			assertThat(lock.tryLock(0)).isTrue();
			CompletableFuture<Boolean> stranded = supply(() -> lock.tryLock(TimeUnit.MILLISECONDS.toNanos(200)));
			awaitQueueLength(lock, 1);
			// A thread that arrives well after the task's time notices that it did not run.
			List<CompletableFuture<Boolean>> arrivals = new ArrayList<>();
			await().atMost(Duration.ofSeconds(10)).until(() -> {
				arrivals.add(supply(() -> lock.tryLock(TimeUnit.MILLISECONDS.toNanos(50))));
				return stranded.isDone();
			});
			assertThat(stranded.get()).isFalse();
			for (CompletableFuture<Boolean> arrival : arrivals) {
				assertThat(arrival.get(10, TimeUnit.SECONDS)).isFalse();
			}
			lock.unlock();
		}
		finally {
			dropping.shutdownNow();
		}
	}

	private void assertWaitersTimeOut(ConnectionLock lock) throws Exception {
		assertThat(lock.tryLock(0)).isTrue();
		List<CompletableFuture<Boolean>> waiters = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			waiters.add(supply(() -> lock.tryLock(TimeUnit.MILLISECONDS.toNanos(200))));
		}
		for (CompletableFuture<Boolean> waiter : waiters) {
			assertThat(waiter.get(10, TimeUnit.SECONDS)).isFalse();
		}
		assertThat(lock.getQueueLength()).isZero();
		lock.unlock();
		assertThat(lockThenUnlock(lock)).isTrue();
	}

	/**
	 * Start a thread that waits for the lock and completes the outcome with {@code null} when it
	 * got it or with the {@link InterruptedException} that ended its wait.
	 */
	private Thread startWaiter(ConnectionLock lock, CompletableFuture<Throwable> outcome) {
		return start(() -> {
			try {
				lock.tryLock(LONG);
				outcome.complete(null);
			}
			catch (InterruptedException ex) {
				outcome.complete(ex);
			}
		});
	}

	private static boolean lockThenUnlock(ConnectionLock lock) throws InterruptedException {
		boolean locked = lock.tryLock(LONG);
		if (locked) {
			lock.unlock();
		}
		return locked;
	}

	private <T> CompletableFuture<T> supply(Action<T> action) {
		CompletableFuture<T> result = new CompletableFuture<>();
		start(() -> {
			try {
				result.complete(action.run());
			}
			catch (Throwable ex) {
				result.completeExceptionally(ex);
			}
		});
		return result;
	}

	private Thread start(Body body) {
		Thread thread = new Thread(() -> {
			try {
				body.run();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}, "connection-lock-test-" + this.started.size());
		thread.setDaemon(true);
		this.started.add(thread);
		thread.start();
		return thread;
	}

	private static void awaitQueueLength(ConnectionLock lock, int length) {
		// Polled often: some waiters under test leave the queue again after a few hundred ms.
		await().atMost(Duration.ofSeconds(10))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(1))
			.until(lock::getQueueLength, (queued) -> queued == length);
	}

	private void joinStarted() throws InterruptedException {
		for (Thread thread : this.started) {
			thread.join(10_000);
			assertThat(thread.isAlive()).as("%s ended", thread.getName()).isFalse();
		}
	}

	interface Action<T> {

		T run() throws Exception;

	}

	interface Body {

		void run() throws InterruptedException;

	}

}
