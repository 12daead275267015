package dev.managedconnection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A bounded, seeded, randomized stress test of {@link ConnectionLock} alone: many threads lock,
 * unlock, time out and are interrupted at random, and the lock must never let two threads hold it,
 * never lose a waiter, and, when fair, serve the waiters it grants in arrival order. jcstress and
 * Lincheck do not fit a lock whose waiters park and are woken by a scheduler thread; a randomized
 * run with recorded seeds does.
 */
@Timeout(120)
class ConnectionLockStressTests {

	private static final long SEED = Long.getLong("connection-lock.seed", System.nanoTime());

	@ParameterizedTest(name = "fair={0}")
	@ValueSource(booleans = { true, false })
	void randomLockingTimeoutsAndInterruptsKeepMutualExclusionAndLoseNoWaiter(boolean fair) throws Exception {
		ConnectionLock lock = new ConnectionLock(fair);
		AtomicInteger inside = new AtomicInteger();
		AtomicInteger overlaps = new AtomicInteger();
		AtomicInteger granted = new AtomicInteger();
		AtomicInteger timedOut = new AtomicInteger();
		AtomicInteger interrupted = new AtomicInteger();
		AtomicBoolean stop = new AtomicBoolean();
		List<Thread> workers = new ArrayList<>();
		for (int t = 0; t < 8; t++) {
			Random random = new Random(SEED + t);
			Thread worker = new Thread(() -> {
				for (int i = 0; i < 3_000; i++) {
					// Timeouts from none through a few milliseconds to practically forever.
					long timeoutNanos = switch (random.nextInt(4)) {
						case 0 -> 0;
						case 1 -> TimeUnit.MICROSECONDS.toNanos(random.nextInt(500));
						case 2 -> TimeUnit.MILLISECONDS.toNanos(1 + random.nextInt(5));
						default -> TimeUnit.SECONDS.toNanos(60);
					};
					boolean locked;
					try {
						locked = lock.tryLock(timeoutNanos);
					}
					catch (InterruptedException ex) {
						interrupted.incrementAndGet();
						continue;
					}
					if (!locked) {
						timedOut.incrementAndGet();
						continue;
					}
					try {
						if (inside.incrementAndGet() != 1) {
							overlaps.incrementAndGet();
						}
						granted.incrementAndGet();
						for (int spin = random.nextInt(50); spin > 0; spin--) {
							Thread.onSpinWait();
						}
						inside.decrementAndGet();
					}
					finally {
						lock.unlock();
						// An interrupt that arrived while holding the lock belongs to this round.
						Thread.interrupted();
					}
				}
			}, "stress-" + t);
			workers.add(worker);
		}
		Random chaos = new Random(SEED);
		Thread interrupter = new Thread(() -> {
			while (!stop.get()) {
				workers.get(chaos.nextInt(workers.size())).interrupt();
				Thread.onSpinWait();
				if (chaos.nextInt(100) == 0) {
					Thread.yield();
				}
			}
		}, "stress-interrupter");
		workers.forEach(Thread::start);
		interrupter.start();
		try {
			for (Thread worker : workers) {
				worker.join(TimeUnit.SECONDS.toMillis(90));
				assertThat(worker.isAlive()).as("%s finished (seed %d): no waiter is lost", worker.getName(), SEED)
					.isFalse();
			}
		}
		finally {
			stop.set(true);
			interrupter.join(10_000);
		}
		assertThat(overlaps).as("seed %d", SEED).hasValue(0);
		assertThat(granted.get() + timedOut.get() + interrupted.get()).as("every attempt ended (seed %d)", SEED)
			.isEqualTo(8 * 3_000);
		assertThat(granted.get()).as("seed %d", SEED).isPositive();
		assertThat(lock.getQueueLength()).isZero();
		assertThat(lock.tryLock(0)).isTrue();
		lock.unlock();
	}

	@Test
	void aFairLockGrantsInArrivalOrderWhateverLeavesTheQueueOnTheWay() throws Exception {
		Random random = new Random(SEED);
		for (int round = 0; round < 3; round++) {
			ConnectionLock lock = new ConnectionLock(true);
			assertThat(lock.tryLock(0)).isTrue();
			List<Integer> grants = Collections.synchronizedList(new ArrayList<>());
			List<Integer> patient = new ArrayList<>();
			List<CompletableFuture<Boolean>> hasty = new ArrayList<>();
			List<Thread> toInterrupt = new ArrayList<>();
			List<Thread> threads = new ArrayList<>();
			for (int i = 0; i < 12; i++) {
				int number = i;
				int kind = random.nextInt(3);
				CompletableFuture<Boolean> outcome = new CompletableFuture<>();
				// Hasty waiters leave the queue by timing out, unlucky ones by an interrupt.
				long timeoutNanos = (kind == 1) ? TimeUnit.MILLISECONDS.toNanos(3_000 + random.nextInt(1_000))
						: TimeUnit.SECONDS.toNanos(60);
				Thread thread = new Thread(() -> {
					try {
						boolean locked = lock.tryLock(timeoutNanos);
						if (locked) {
							grants.add(number);
							lock.unlock();
						}
						outcome.complete(locked);
					}
					catch (InterruptedException ex) {
						outcome.complete(false);
					}
				}, "fifo-" + round + "-" + i);
				threads.add(thread);
				thread.start();
				awaitQueueLength(lock, i + 1);
				switch (kind) {
					case 0 -> patient.add(number);
					case 1 -> hasty.add(outcome);
					default -> toInterrupt.add(thread);
				}
			}
			toInterrupt.forEach(Thread::interrupt);
			for (CompletableFuture<Boolean> waiter : hasty) {
				assertThat(waiter.get(30, TimeUnit.SECONDS)).isFalse();
			}
			awaitQueueLength(lock, patient.size());
			lock.unlock();
			for (Thread thread : threads) {
				thread.join(30_000);
				assertThat(thread.isAlive()).as("%s finished (seed %d)", thread.getName(), SEED).isFalse();
			}
			assertThat(grants).as("seed %d", SEED).containsExactlyElementsOf(patient);
		}
	}

	private static void awaitQueueLength(ConnectionLock lock, int length) {
		await().atMost(Duration.ofSeconds(20))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(1))
			.until(lock::getQueueLength, (queued) -> queued == length);
	}

}
