package dev.managedconnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;
import org.awaitility.Awaitility;
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

/**
 * Fault tests: interrupting a waiter and a holder, and closing the managed connection while it
 * is in use. Exceptions come promptly, the interrupt flag is kept, the lock is never leaked and
 * unfinished work is rolled back.
 */
@Timeout(60)
class InterruptIntegrationTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private static TestDatabase database;

	private Connection admin;

	private ManagedConnection managed;

	@BeforeAll
	static void createDatabase() throws SQLException {
		database = TestPostgres.get().createDatabase(InterruptIntegrationTests.class);
		TestSql.execute(database, "CREATE TABLE item (id int PRIMARY KEY)");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@BeforeEach
	void setUp() throws SQLException {
		TestSql.execute(database, "TRUNCATE item");
		this.admin = database.connect();
		this.managed = TestSql.builderFor(database).acquireTimeout(Duration.ofSeconds(30)).build();
	}

	@AfterEach
	void tearDown() throws SQLException {
		this.managed.close();
		this.admin.close();
	}

	@Test
	void interruptingAWaiterFailsItPromptlyKeepsItsFlagAndLeavesTheHolderAlone() throws Exception {
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		CompletableFuture<Integer> holder = CompletableFuture.supplyAsync(() -> call(COMMIT, (connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			held.countDown();
			await(finish);
			return 1;
		}));
		assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
		AtomicBoolean flagKept = new AtomicBoolean();
		AtomicReference<Throwable> waiterFailure = new AtomicReference<>();
		Thread waiter = new Thread(() -> {
			try {
				this.managed.execute(COMMIT, TestSql::backendPid);
			}
			catch (SQLException ex) {
				waiterFailure.set(ex);
			}
			flagKept.set(Thread.currentThread().isInterrupted());
		}, "interrupted-waiter");
		waiter.start();
		awaitWaiters(1);
		waiter.interrupt();
		waiter.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(waiter.isAlive()).isFalse();
		assertThat(waiterFailure.get()).isInstanceOf(SQLException.class)
			.hasCauseInstanceOf(InterruptedException.class);
		assertThat(flagKept).isTrue();
		assertThat(this.managed.state().waitingThreads()).isZero();
		assertThat(holder).isNotDone();
		finish.countDown();
		assertThat(holder.get(30, TimeUnit.SECONDS)).isEqualTo(1);
		assertThat(queryLong(this.admin, "SELECT count(*) FROM item")).isEqualTo(1);
	}

	@Test
	void interruptingAHolderBetweenStatementsRollsBackReleasesTheLockAndKeepsTheFlag() throws Exception {
		CountDownLatch held = new CountDownLatch(1);
		AtomicBoolean flagKept = new AtomicBoolean();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		Thread holder = new Thread(() -> {
			try {
				this.managed.execute(COMMIT, (connection) -> {
					update(connection, "INSERT INTO item VALUES (1)");
					held.countDown();
					try {
						new CountDownLatch(1).await(30, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
						throw new SQLException("Interrupted while working", ex);
					}
					return update(connection, "INSERT INTO item VALUES (2)");
				});
			}
			catch (SQLException ex) {
				failure.set(ex);
			}
			flagKept.set(Thread.currentThread().isInterrupted());
		}, "interrupted-holder");
		holder.start();
		assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
		holder.interrupt();
		holder.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(holder.isAlive()).isFalse();
		assertThat(failure.get()).hasMessage("Interrupted while working");
		assertThat(flagKept).isTrue();
		assertThat(this.managed.state().holderThread()).isNull();
		assertThat(queryLong(this.admin, "SELECT count(*) FROM item")).isZero();
		// An ordinary rollback: the connection stays open for the next holder.
		assertThat(this.managed.isClosed()).isFalse();
		int inserted = this.managed.execute(COMMIT, (connection) -> update(connection, "INSERT INTO item VALUES (3)"));
		assertThat(inserted).isEqualTo(1);
	}

	@Test
	void aHolderInsideAStatementIsStoppedPromptlyByInterruptAndCancelAndItsWorkIsRolledBack() throws Exception {
		int pid = this.managed.execute(COMMIT, TestSql::backendPid);
		AtomicBoolean flagKept = new AtomicBoolean();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		Thread holder = new Thread(() -> {
			try {
				this.managed.execute(COMMIT, (connection) -> {
					update(connection, "INSERT INTO item VALUES (1)");
					return queryLong(connection, "SELECT count(*) FROM pg_sleep(30)");
				});
			}
			catch (SQLException ex) {
				failure.set(ex);
			}
			flagKept.set(Thread.currentThread().isInterrupted());
		}, "interrupted-statement");
		holder.start();
		Faults.awaitActiveQuery(this.admin, pid, "pg_sleep(30)");
		// JDBC statements do not notice interrupts; cancel() is what stops one.
		holder.interrupt();
		this.managed.cancel();
		holder.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(holder.isAlive()).isFalse();
		assertThat(failure.get()).isInstanceOf(SQLException.class);
		assertThat(((SQLException) failure.get()).getSQLState()).isEqualTo("57014");
		assertThat(flagKept).isTrue();
		assertThat(queryLong(this.admin, "SELECT count(*) FROM item")).isZero();
		assertThat(this.managed.execute(COMMIT, TestSql::backendPid)).isEqualTo(pid);
	}

	@Test
	void anInterruptedThreadIsRefusedEvenWhenTheConnectionIsFreeAndKeepsItsFlag() throws Exception {
		CompletableFuture<Boolean> flag = CompletableFuture.supplyAsync(() -> {
			Thread.currentThread().interrupt();
			try {
				this.managed.execute(COMMIT, TestSql::backendPid);
				throw new AssertionError("Expected an SQLException");
			}
			catch (SQLException ex) {
				return Thread.interrupted();
			}
		});
		assertThat(flag.get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(this.managed.state().holderThread()).isNull();
	}

	@Test
	void aHolderThatSetsItsInterruptFlagStillEndsItsScopeCleanly() throws Exception {
		CompletableFuture<Boolean> flag = CompletableFuture.supplyAsync(() -> {
			call(COMMIT, (connection) -> {
				update(connection, "INSERT INTO item VALUES (1)");
				Thread.currentThread().interrupt();
				return null;
			});
			return Thread.interrupted();
		});
		assertThat(flag.get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(queryLong(this.admin, "SELECT count(*) FROM item")).isEqualTo(1);
		assertThat(this.managed.state().holderThread()).isNull();
	}

	@Test
	void closingWhileAHolderWorksLetsItFinishThenClosesThePhysicalConnection() throws Exception {
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		AtomicReference<Integer> pid = new AtomicReference<>();
		CompletableFuture<Integer> holder = CompletableFuture.supplyAsync(() -> call(COMMIT, (connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			pid.set(TestSql.backendPid(connection));
			held.countDown();
			await(finish);
			return update(connection, "INSERT INTO item VALUES (2)");
		}));
		assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<Void> close = CompletableFuture.runAsync(this.managed::resetConnection);
		awaitWaiters(1);
		assertThat(close).isNotDone();
		finish.countDown();
		assertThat(holder.get(30, TimeUnit.SECONDS)).isEqualTo(1);
		close.get(30, TimeUnit.SECONDS);
		assertThat(this.managed.isClosed()).isTrue();
		Faults.awaitBackendGone(this.admin, pid.get());
		assertThat(queryLong(this.admin, "SELECT count(*) FROM item")).isEqualTo(2);
	}

	private <T> T call(ScopeOptions options, ConnectionCallback<T> action) {
		try {
			return this.managed.execute(options, action);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void await(CountDownLatch latch) throws SQLException {
		try {
			if (!latch.await(30, TimeUnit.SECONDS)) {
				throw new SQLException("Not released within 30 s");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SQLException("Interrupted", ex);
		}
	}

	private void awaitWaiters(int count) {
		Awaitility.await().alias("at least " + count + " waiting threads")
			.atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(5))
			.until(() -> this.managed.state().waitingThreads(), (waiting) -> waiting >= count);
	}

}
