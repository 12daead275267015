package dev.managedconnection.autoconfigure;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.managedconnection.CommitOutcomeUnknownException;
import dev.managedconnection.ConnectionState;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.annotation.ExclusiveConnection;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import dev.managedconnection.testsupport.ThreadPerTask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Closing the application context while threads call an
 * {@link ExclusiveConnection @ExclusiveConnection} service, against a real PostgreSQL: the
 * context closes promptly, every call made after it closed fails at once instead of opening
 * a new connection, work in flight is rolled back, the lock is never left held and the
 * physical connection is gone from {@code pg_stat_activity}.
 * <p>
 * Each call moves one unit between two accounts in two updates and logs itself, so the
 * balances and the log show whether any call was half done or done without being
 * acknowledged.
 */
@Timeout(120)
class ManagedConnectionShutdownIntegrationTests {

	private static final int WORKERS = 16;

	private static final long OPENING_BALANCE = 1_000_000;

	// Far above every bound below: a caller or a close that waited for it would fail the test.
	private static final String ACQUIRE_TIMEOUT = "30s";

	private static final Duration PROMPTLY = Duration.ofSeconds(10);

	private static final int CALLS_AFTER_CLOSE = 3;

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE account (id int PRIMARY KEY, balance bigint NOT NULL)",
				"CREATE TABLE move (caller text NOT NULL, sequence int NOT NULL, PRIMARY KEY (caller, sequence))")
		.beforeEachTest("TRUNCATE account, move",
				"INSERT INTO account VALUES (1, " + OPENING_BALANCE + "), (2, " + OPENING_BALANCE + ")");

	private ConfigurableApplicationContext context;

	private ExecutorService executor;

	@BeforeEach
	void startApplication() {
		this.context = new SpringApplicationBuilder(Application.class).web(WebApplicationType.NONE)
			.properties(db.dataSourceProperties())
			.properties("spring.main.banner-mode=off", "managed-connection.acquire-timeout=" + ACQUIRE_TIMEOUT)
			.run();
		this.executor = Executors.newCachedThreadPool();
	}

	@AfterEach
	void stop() throws InterruptedException {
		this.context.close();
		this.executor.shutdownNow();
		assertThat(this.executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void closingTheContextUnderLoadFailsLaterCallsAtOnceAndLosesNoAcknowledgedWork() throws Exception {
		Mover mover = this.context.getBean(Mover.class);
		ManagedConnection managedConnection = this.context.getBean(ManagedConnection.class);
		CountDownLatch running = new CountDownLatch(WORKERS);
		AtomicBoolean closed = new AtomicBoolean();
		List<Future<Worker>> workers = new ArrayList<>();
		for (int i = 0; i < WORKERS; i++) {
			Worker worker = new Worker("worker-" + i, mover, running, closed);
			workers.add(this.executor.submit(worker::run));
		}
		assertThat(running.await(60, TimeUnit.SECONDS)).as("every worker has called the service").isTrue();
		assertThat(backendsOfTheApplication()).isOne();

		CompletableFuture<Void> closing = ThreadPerTask.runAsync(this.context::close);
		assertThat(closing).succeedsWithin(PROMPTLY);
		closed.set(true);

		Set<String> acknowledged = new HashSet<>();
		Set<String> unknown = new HashSet<>();
		for (Future<Worker> future : workers) {
			Worker worker = future.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);
			assertThat(worker.failuresAfterClose).as("calls of %s after the context closed", worker.name)
				.hasSize(CALLS_AFTER_CLOSE)
				.allSatisfy(ManagedConnectionShutdownIntegrationTests::assertRefusedAsShutDown);
			acknowledged.addAll(worker.acknowledged);
			unknown.addAll(worker.unknown);
		}
		assertThat(acknowledged).isNotEmpty();
		assertLedger(acknowledged, unknown);
		assertReleasedAndClosed(managedConnection);
	}

	@Test
	void closingTheContextAbortsAHolderInALongStatementRollsItBackAndFailsItsWaitersAtOnce() throws Exception {
		Mover mover = this.context.getBean(Mover.class);
		ManagedConnection managedConnection = this.context.getBean(ManagedConnection.class);
		Future<?> slow = this.executor.submit(() -> {
			mover.moveSlowly("slow", 60);
			return null;
		});
		await().atMost(Duration.ofSeconds(30)).until(() -> sleepingBackends() == 1);
		List<Future<?>> waiters = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			int sequence = i;
			waiters.add(this.executor.submit(() -> {
				mover.move("waiter", sequence);
				return null;
			}));
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> managedConnection.state().waitingThreads() == 4);

		CompletableFuture<Void> closing = ThreadPerTask.runAsync(this.context::close);
		assertThat(closing).succeedsWithin(PROMPTLY);

		// The holder gets its statement's error (cancelled, or the connection gone), not a refusal.
		assertThat(slow).failsWithin(PROMPTLY)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(SQLException.class)
			.satisfies((ex) -> assertThat(ex).hasMessageNotContaining("closed for good"));
		assertThat(waiters).allSatisfy((waiter) -> assertThat(waiter).failsWithin(PROMPTLY)
			.withThrowableThat()
			.havingCause()
			.satisfies(ManagedConnectionShutdownIntegrationTests::assertRefusedAsShutDown));
		assertLedger(Set.of());
		assertReleasedAndClosed(managedConnection);
	}

	private static void assertRefusedAsShutDown(Throwable failure) {
		assertThat(failure).isInstanceOf(CannotGetJdbcConnectionException.class)
			.hasMessageContaining("closed for good")
			.cause()
			.isInstanceOf(SQLException.class);
	}

	/**
	 * Every acknowledged call moved its unit and logged itself exactly once; nothing else did.
	 */
	private static void assertLedger(Set<String> acknowledged) throws SQLException {
		assertLedger(acknowledged, Set.of());
	}

	/**
	 * Every acknowledged move is in the ledger, and nothing else but moves whose commit outcome
	 * the caller was told is unknown; the money is conserved either way.
	 */
	private static void assertLedger(Set<String> acknowledged, Set<String> unknown) throws SQLException {
		Set<String> logged = new HashSet<>();
		long from;
		long to;
		try (Connection connection = db.connect(); Statement statement = connection.createStatement()) {
			try (ResultSet rows = statement.executeQuery("SELECT caller, sequence FROM move")) {
				while (rows.next()) {
					logged.add(rows.getString(1) + "#" + rows.getInt(2));
				}
			}
			try (ResultSet rows = statement.executeQuery("SELECT balance FROM account ORDER BY id")) {
				rows.next();
				from = rows.getLong(1);
				rows.next();
				to = rows.getLong(1);
			}
		}
		assertThat(logged).containsAll(acknowledged);
		Set<String> unacknowledged = new HashSet<>(logged);
		unacknowledged.removeAll(acknowledged);
		assertThat(unknown).containsAll(unacknowledged);
		assertThat(from + to).isEqualTo(2 * OPENING_BALANCE);
		assertThat(to - OPENING_BALANCE).isEqualTo(logged.size());
	}

	private static boolean causedBy(Throwable thrown, Class<? extends Throwable> type) {
		for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return true;
			}
		}
		return false;
	}

	private void assertReleasedAndClosed(ManagedConnection managedConnection) throws SQLException {
		ConnectionState state = managedConnection.state();
		assertThat(state.holderThread()).isNull();
		assertThat(state.waitingThreads()).isZero();
		assertThat(state.open()).isFalse();
		// And a later call is refused at once rather than opening a new connection.
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> managedConnection.execute((connection) -> null))
			.withMessageContaining("closed for good");
		await().atMost(PROMPTLY).until(() -> backendsOfTheApplication() == 0);
	}

	/**
	 * Count the connections to the test's database other than the one asking: the
	 * application's, since the test's own connections are closed after each use.
	 */
	private static long backendsOfTheApplication() throws SQLException {
		return count("");
	}

	private static long sleepingBackends() throws SQLException {
		return count(" AND state = 'active' AND query LIKE 'SELECT pg_sleep%'");
	}

	private static long count(String condition) throws SQLException {
		return db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE "
				+ "datname = current_database() AND pid <> pg_backend_pid()" + condition);
	}

	/**
	 * Calls the service until it has made {@link #CALLS_AFTER_CLOSE} calls after the context
	 * closed, remembering which calls were acknowledged and how the later ones failed.
	 */
	private static final class Worker {

		private static final int MAX_CALLS = 1_000_000;

		private final String name;

		private final Mover mover;

		private final CountDownLatch running;

		private final AtomicBoolean closed;

		private final List<String> acknowledged = new ArrayList<>();

		private final List<Throwable> failuresAfterClose = new ArrayList<>();

		private final List<String> unknown = new ArrayList<>();

		private Worker(String name, Mover mover, CountDownLatch running, AtomicBoolean closed) {
			this.name = name;
			this.mover = mover;
			this.running = running;
			this.closed = closed;
		}

		Worker run() {
			int callsAfterClose = 0;
			for (int sequence = 0; sequence < MAX_CALLS && callsAfterClose < CALLS_AFTER_CLOSE; sequence++) {
				boolean afterClose = this.closed.get();
				try {
					this.mover.move(this.name, sequence);
					this.acknowledged.add(this.name + "#" + sequence);
					if (this.acknowledged.size() == 3) {
						this.running.countDown();
					}
				}
				catch (SQLException | RuntimeException ex) {
					if (afterClose) {
						this.failuresAfterClose.add(ex);
					}
					if (causedBy(ex, CommitOutcomeUnknownException.class)) {
						// The close aborted the connection as its COMMIT was on its way: either way is honest.
						this.unknown.add(this.name + "#" + sequence);
					}
				}
				if (afterClose) {
					callsAfterClose++;
				}
			}
			return this;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import(Mover.class)
	static class Application {

	}

	/**
	 * Moves one unit from account 1 to account 2 in two statements and logs the call.
	 */
	static class Mover {

		private final ManagedConnection managedConnection;

		Mover(ManagedConnection managedConnection) {
			this.managedConnection = managedConnection;
		}

		@ExclusiveConnection(commit = true)
		public void move(String caller, int sequence) throws SQLException {
			moveOne(this.managedConnection.currentConnection(), caller, sequence, 0);
		}

		@ExclusiveConnection(commit = true)
		public void moveSlowly(String caller, int seconds) throws SQLException {
			moveOne(this.managedConnection.currentConnection(), caller, 0, seconds);
		}

		private static void moveOne(Connection connection, String caller, int sequence, int pauseSeconds)
				throws SQLException {
			try (Statement statement = connection.createStatement()) {
				statement.executeUpdate("UPDATE account SET balance = balance - 1 WHERE id = 1");
				if (pauseSeconds > 0) {
					statement.execute("SELECT pg_sleep(" + pauseSeconds + ")");
				}
				statement.executeUpdate("UPDATE account SET balance = balance + 1 WHERE id = 2");
			}
			try (PreparedStatement log = connection.prepareStatement("INSERT INTO move VALUES (?, ?)")) {
				log.setString(1, caller);
				log.setInt(2, sequence);
				log.executeUpdate();
			}
		}

	}

}
