package dev.managedconnection;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.managedconnection.testsupport.Holder;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.managedconnection.TestSql.queryLong;
import static dev.managedconnection.TestSql.update;
import static dev.managedconnection.testsupport.ManagedConnectionWaits.awaitWaitingThreads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ManagedConnection} under many threads: exclusivity, no lost updates, the
 * acquire timeout and interrupts.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagedConnectionConcurrencyTests {

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE counter (id int PRIMARY KEY, value int NOT NULL)")
		.beforeEachTest("TRUNCATE counter", "INSERT INTO counter VALUES (1, 0)")
		.customize((builder) -> builder.acquireTimeout(Duration.ofSeconds(60)));

	@Test
	void sixtyFourThreadsIncrementingOneRowLoseNoUpdateAndNeverOverlap() throws Exception {
		int threads = 64;
		int incrementsPerThread = 25;
		AtomicInteger inside = new AtomicInteger();
		AtomicInteger maxInside = new AtomicInteger();
		Set<Long> backendPids = ConcurrentHashMap.newKeySet();
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				futures.add(executor.submit(() -> {
					start.await();
					for (int n = 0; n < incrementsPerThread; n++) {
						db.managed().execute((connection) -> {
							maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
							try {
								// Read, then write: a lost update shows if two threads interleave.
								long value = queryLong(connection, "SELECT value FROM counter WHERE id = 1");
								update(connection, "UPDATE counter SET value = " + (value + 1) + " WHERE id = 1");
								backendPids.add(queryLong(connection, "SELECT pg_backend_pid()"));
								connection.commit();
							}
							finally {
								inside.decrementAndGet();
							}
							return null;
						});
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> future : futures) {
				future.get(100, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(db.queryLong("SELECT value FROM counter WHERE id = 1")).isEqualTo(threads * incrementsPerThread);
		assertThat(maxInside.get()).isOne();
		assertThat(backendPids).hasSize(1);
	}

	@Test
	void acquireTimeoutSaysHowLongWhoHoldsAndHowManyWait() throws Exception {
		try (Holder holder = Holder.hold(db.managed(), "slow-holder")) {
			ScopeOptions shortWait = ScopeOptions.DEFAULT.withAcquireTimeout(Duration.ofMillis(200));
			assertThatExceptionOfType(AcquireTimeoutException.class)
				.isThrownBy(() -> db.managed().execute(shortWait, (connection) -> null))
				.isInstanceOf(java.sql.SQLTransientConnectionException.class)
				.withMessageContaining("Timed out after 200 ms")
				.withMessageContaining("held by thread 'slow-holder' for")
				.withMessageContaining("0 other thread(s) waiting");
		}
		assertThat(db.managed().isHeldByCurrentThread()).isFalse();
		db.managed().execute((connection) -> null);
	}

	@Test
	void interruptedWaiterFailsPromptlyKeepsItsFlagAndTakesNothing() throws Exception {
		ManagedConnection managed = db.managed();
		try (Holder holder = Holder.hold(managed);
				Holder waiter = Holder.of(managed).named("waiter").start().release()) {
			awaitWaitingThreads(managed, 1);
			waiter.thread().interrupt();
			assertThat(waiter.result()).failsWithin(Duration.ofSeconds(10))
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(SQLException.class)
				.withMessageContaining("Interrupted")
				.withCauseInstanceOf(InterruptedException.class);
			assertThat(waiter.interruptedAfterScope()).isTrue();
		}
		managed.execute((connection) -> null);
	}

	@Test
	void waitersAreServedInArrivalOrder() throws Exception {
		List<Integer> order = new ArrayList<>();
		List<Thread> waiters = new ArrayList<>();
		try (Holder holder = Holder.hold(db.managed())) {
			for (int i = 0; i < 5; i++) {
				int id = i;
				Thread waiter = new Thread(() -> {
					try {
						db.managed().execute((connection) -> order.add(id));
					}
					catch (SQLException ex) {
						throw new IllegalStateException(ex);
					}
				});
				waiter.start();
				waiters.add(waiter);
				awaitWaitingThreads(db.managed(), i + 1);
			}
		}
		for (Thread waiter : waiters) {
			waiter.join(30_000);
		}
		assertThat(order).containsExactly(0, 1, 2, 3, 4);
	}

}
