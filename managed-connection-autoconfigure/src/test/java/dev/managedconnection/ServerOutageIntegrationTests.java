package dev.managedconnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.managedconnection.testsupport.LoopbackProxy;
import dev.managedconnection.testsupport.OwnedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.managedconnection.TestSql.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Fault tests on a server this class owns: stopped (waiters fail in time with the cause, no
 * busy retry loop, recovery once it starts) and restarted under load (every call ends as a
 * success, a definite failure or an unknown commit outcome, and the ledger agrees).
 */
@Timeout(120)
class ServerOutageIntegrationTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private static OwnedPostgres postgres;

	private ManagedConnection managed;

	@BeforeAll
	static void startServer() {
		postgres = OwnedPostgres.start();
		postgres.execute("CREATE TABLE ledger (id bigint PRIMARY KEY)");
	}

	@AfterAll
	static void closeServer() {
		postgres.close();
	}

	@BeforeEach
	void serverRuns() {
		postgres.startAgain();
		postgres.execute("TRUNCATE ledger");
	}

	@AfterEach
	void closeManagedConnection() {
		if (this.managed != null) {
			this.managed.close();
		}
	}

	@Test
	void waitersOfAStoppedServerFailWithinTheAcquireTimeoutWithTheLastConnectErrorAsCause() throws Exception {
		Duration acquireTimeout = Duration.ofSeconds(2);
		this.managed = builder(postgres.url("postgres")).acquireTimeout(acquireTimeout)
			.validationIdleThreshold(Duration.ZERO)
			.build();
		this.managed.execute(COMMIT, TestSql::backendPid);
		postgres.stop();
		ExecutorService executor = Executors.newFixedThreadPool(4);
		try {
			List<Future<Throwable>> calls = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				calls.add(executor.submit(() -> {
					long start = System.nanoTime();
					try {
						this.managed.execute(COMMIT, TestSql::backendPid);
						return new AssertionError("Expected a failure");
					}
					catch (SQLException ex) {
						long elapsed = Faults.millisSince(start);
						if (elapsed > acquireTimeout.toMillis() + 1_000) {
							return new AssertionError("Failed after " + elapsed + " ms", ex);
						}
						return ex;
					}
				}));
			}
			for (Future<Throwable> call : calls) {
				Throwable failure = call.get(30, TimeUnit.SECONDS);
				assertThat(failure).isInstanceOf(SQLTransientConnectionException.class);
				assertThat(failure.getCause()).isInstanceOf(SQLException.class);
				assertThat(((SQLException) failure.getCause()).getSQLState()).isEqualTo("08001");
				assertThat(failure.getCause().getMessage()).contains("refused");
			}
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void connectingToAStoppedServerBacksOffInsteadOfRetryingInABusyLoop() {
		try (LoopbackProxy proxy = LoopbackProxy.start("127.0.0.1", postgres.port())) {
			this.managed = builder(proxy.url("postgres")).acquireTimeout(Duration.ofSeconds(3)).build();
			postgres.stop();
			assertThatExceptionOfType(SQLTransientConnectionException.class)
				.isThrownBy(() -> this.managed.execute(COMMIT, TestSql::backendPid));
			// Backoff from 50 ms doubling to 1 s allows about 7 attempts in 3 s; a busy loop makes thousands.
			assertThat(proxy.acceptedConnections()).isBetween(2, 20);
		}
	}

	@Test
	void aCallerWaitingThroughAnOutageGetsTheConnectionOnceTheServerIsBack() throws Exception {
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try (LoopbackProxy proxy = LoopbackProxy.start("127.0.0.1", postgres.port())) {
			this.managed = builder(proxy.url("postgres")).acquireTimeout(Duration.ofSeconds(30))
				.validationIdleThreshold(Duration.ZERO)
				.build();
			int before = this.managed.execute(COMMIT, TestSql::backendPid);
			postgres.stop();
			int accepted = proxy.acceptedConnections();
			Future<Integer> waiting = executor.submit(() -> this.managed.execute(COMMIT, TestSql::backendPid));
			awaitAtLeast(proxy, accepted + 2);
			assertThat(waiting).isNotDone();
			postgres.startAgain();
			assertThat(waiting.get(30, TimeUnit.SECONDS)).isNotEqualTo(before);
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void serviceResumesOnItsOwnAfterTheServerIsStartedAgain() throws SQLException {
		this.managed = builder(postgres.url("postgres")).acquireTimeout(Duration.ofSeconds(1))
			.validationIdleThreshold(Duration.ZERO)
			.build();
		int before = this.managed.execute(COMMIT, TestSql::backendPid);
		postgres.stop();
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> this.managed.execute(COMMIT, TestSql::backendPid));
		postgres.startAgain();
		assertThat(this.managed.execute(COMMIT, TestSql::backendPid)).isNotEqualTo(before);
	}

	@Test
	void restartsUnderLoadEndEveryCallAsSuccessDefiniteFailureOrUnknownOutcomeAndTheLedgerAgrees() throws Exception {
		int threads = 16;
		Duration acquireTimeout = Duration.ofSeconds(10);
		Duration socketTimeout = Duration.ofSeconds(5);
		this.managed = builder(postgres.url("postgres")).acquireTimeout(acquireTimeout)
			.socketTimeout(socketTimeout)
			.build();
		Map<Long, Outcome> outcomes = new ConcurrentHashMap<>();
		AtomicBoolean stop = new AtomicBoolean();
		AtomicLong longestCallNanos = new AtomicLong();
		AtomicInteger successesAfterRestarts = new AtomicInteger();
		AtomicBoolean restartsDone = new AtomicBoolean();
		CountDownLatch warmedUp = new CountDownLatch(threads);
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		List<Future<?>> workers = new ArrayList<>();
		try {
			for (int t = 0; t < threads; t++) {
				long base = (t + 1) * 1_000_000L;
				workers.add(executor.submit(() -> {
					boolean counted = false;
					for (long i = 0; !stop.get() && i < 100_000; i++) {
						long id = base + i;
						long start = System.nanoTime();
						Outcome outcome = transfer(id);
						longestCallNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
						outcomes.put(id, outcome);
						if (outcome == Outcome.SUCCESS && !counted) {
							counted = true;
							warmedUp.countDown();
						}
						if (outcome == Outcome.SUCCESS && restartsDone.get()) {
							successesAfterRestarts.incrementAndGet();
						}
					}
				}));
			}
			assertThat(warmedUp.await(60, TimeUnit.SECONDS)).isTrue();
			for (int restart = 0; restart < 3; restart++) {
				postgres.restart();
				awaitSuccesses(outcomes, 50);
			}
			restartsDone.set(true);
			await().atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(20))
				.untilAsserted(() -> assertThat(successesAfterRestarts.get()).as("service resumed after the restarts")
					.isGreaterThanOrEqualTo(200));
			stop.set(true);
			for (Future<?> worker : workers) {
				worker.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			stop.set(true);
			executor.shutdownNow();
		}
		assertThat(successesAfterRestarts.get()).as("service resumed after the restarts").isGreaterThanOrEqualTo(200);
		assertThat(Duration.ofNanos(longestCallNanos.get())).as("longest call")
			.isLessThan(acquireTimeout.plus(socketTimeout).plusSeconds(5));
		Set<Long> committed = committedIds();
		List<Long> lost = new ArrayList<>();
		List<Long> phantom = new ArrayList<>();
		outcomes.forEach((id, outcome) -> {
			if (outcome == Outcome.SUCCESS && !committed.contains(id)) {
				lost.add(id);
			}
			if (outcome == Outcome.FAILED && committed.contains(id)) {
				phantom.add(id);
			}
		});
		assertThat(lost).as("acknowledged but not committed").isEmpty();
		assertThat(phantom).as("reported as failed but committed").isEmpty();
		assertThat(outcomes.keySet()).containsAll(committed);
		assertThat(outcomes.values()).as("some calls met a restart").containsAnyOf(Outcome.FAILED, Outcome.UNKNOWN);
	}

	private Outcome transfer(long id) {
		try {
			this.managed.execute(COMMIT, (connection) -> update(connection, "INSERT INTO ledger VALUES (" + id + ")"));
			return Outcome.SUCCESS;
		}
		catch (CommitOutcomeUnknownException ex) {
			return Outcome.UNKNOWN;
		}
		catch (SQLException | RuntimeException ex) {
			return Outcome.FAILED;
		}
	}

	private static Set<Long> committedIds() throws SQLException {
		Set<Long> ids = new HashSet<>();
		try (Connection connection = postgres.connect("postgres");
				var statement = connection.createStatement();
				var result = statement.executeQuery("SELECT id FROM ledger")) {
			while (result.next()) {
				ids.add(result.getLong(1));
			}
		}
		return ids;
	}

	private static void awaitSuccesses(Map<Long, Outcome> outcomes, int more) {
		long target = successes(outcomes) + more;
		await().alias("progress after a restart: " + target + " successful calls")
			.atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> successes(outcomes), (successes) -> successes >= target);
	}

	private static long successes(Map<Long, Outcome> outcomes) {
		return outcomes.values().stream().filter((outcome) -> outcome == Outcome.SUCCESS).count();
	}

	private static void awaitAtLeast(LoopbackProxy proxy, int accepted) {
		await().alias("at least " + accepted + " connection attempts")
			.atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(10))
			.until(proxy::acceptedConnections, (attempts) -> attempts >= accepted);
	}

	private static ManagedConnectionBuilder builder(String url) {
		return ManagedConnection.builder().url(url).username(OwnedPostgres.SUPERUSER);
	}

	/**
	 * How one call ended, as its caller saw it.
	 */
	private enum Outcome {

		SUCCESS, FAILED, UNKNOWN

	}

}
