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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.managedconnection.TestSql.queryLong;
import static dev.managedconnection.TestSql.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ManagedConnection} under many threads: exclusivity, no lost updates, the
 * acquire timeout and interrupts.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagedConnectionConcurrencyTests {

	private static TestDatabase database;

	private ManagedConnection managed;

	@BeforeAll
	static void createDatabase() throws SQLException {
		database = TestPostgres.get().createDatabase(ManagedConnectionConcurrencyTests.class);
		TestSql.execute(database, "CREATE TABLE counter (id int PRIMARY KEY, value int NOT NULL)");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@BeforeEach
	void createManagedConnection() throws SQLException {
		TestSql.execute(database, "TRUNCATE counter");
		TestSql.execute(database, "INSERT INTO counter VALUES (1, 0)");
		this.managed = TestSql.builderFor(database).acquireTimeout(Duration.ofSeconds(60)).build();
	}

	@AfterEach
	void closeManagedConnection() {
		this.managed.close();
	}

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
						this.managed.execute((connection) -> {
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
		assertThat(queryLong(database, "SELECT value FROM counter WHERE id = 1")).isEqualTo(threads * incrementsPerThread);
		assertThat(maxInside.get()).isOne();
		assertThat(backendPids).hasSize(1);
	}

	@Test
	void acquireTimeoutSaysHowLongWhoHoldsAndHowManyWait() throws Exception {
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(1);
		Thread holder = holdUntil(done, held, "slow-holder");
		try {
			held.await(30, TimeUnit.SECONDS);
			ScopeOptions shortWait = ScopeOptions.DEFAULT.withAcquireTimeout(Duration.ofMillis(200));
			assertThatExceptionOfType(AcquireTimeoutException.class)
				.isThrownBy(() -> this.managed.execute(shortWait, (connection) -> null))
				.isInstanceOf(java.sql.SQLTransientConnectionException.class)
				.withMessageContaining("Timed out after 200 ms")
				.withMessageContaining("held by thread 'slow-holder' for")
				.withMessageContaining("0 other thread(s) waiting");
		}
		finally {
			done.countDown();
			holder.join(30_000);
		}
		assertThat(this.managed.isHeldByCurrentThread()).isFalse();
		this.managed.execute((connection) -> null);
	}

	@Test
	void interruptedWaiterFailsPromptlyKeepsItsFlagAndTakesNothing() throws Exception {
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(1);
		Thread holder = holdUntil(done, held, "holder");
		held.await(30, TimeUnit.SECONDS);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		AtomicBoolean flagKept = new AtomicBoolean();
		Thread waiter = new Thread(() -> {
			try {
				this.managed.execute((connection) -> null);
			}
			catch (Throwable ex) {
				failure.set(ex);
				flagKept.set(Thread.currentThread().isInterrupted());
			}
		});
		waiter.start();
		awaitWaitingThreads(1);
		waiter.interrupt();
		waiter.join(10_000);
		done.countDown();
		holder.join(30_000);
		assertThat(failure.get()).isInstanceOf(SQLException.class)
			.hasMessageContaining("Interrupted")
			.hasCauseInstanceOf(InterruptedException.class);
		assertThat(flagKept).isTrue();
		this.managed.execute((connection) -> null);
	}

	@Test
	void waitersAreServedInArrivalOrder() throws Exception {
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(1);
		List<Integer> order = new ArrayList<>();
		Thread holder = holdUntil(done, held, "holder");
		held.await(30, TimeUnit.SECONDS);
		List<Thread> waiters = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			int id = i;
			Thread waiter = new Thread(() -> {
				try {
					this.managed.execute((connection) -> order.add(id));
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});
			waiter.start();
			waiters.add(waiter);
			awaitWaitingThreads(i + 1);
		}
		done.countDown();
		holder.join(30_000);
		for (Thread waiter : waiters) {
			waiter.join(30_000);
		}
		assertThat(order).containsExactly(0, 1, 2, 3, 4);
	}

	private void awaitWaitingThreads(int count) {
		await().alias("at least " + count + " waiting threads")
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(5))
			.until(() -> this.managed.state().waitingThreads(), (waiting) -> waiting >= count);
	}

	/**
	 * Start a thread that holds the connection until {@code done} is released, and tell
	 * {@code held} once it holds it.
	 */
	private Thread holdUntil(CountDownLatch done, CountDownLatch held, String name) {
		Thread holder = new Thread(() -> {
			try {
				this.managed.execute((connection) -> {
					held.countDown();
					TestSql.await(done);
					return null;
				});
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		}, name);
		holder.start();
		return holder;
	}

}
