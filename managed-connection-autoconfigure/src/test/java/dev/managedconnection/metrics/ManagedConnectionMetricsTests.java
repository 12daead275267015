package dev.managedconnection.metrics;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.managedconnection.AcquireTimeoutException;
import dev.managedconnection.ConnectionState;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ManagedConnectionBuilder;
import dev.managedconnection.OpenTransactionException;
import dev.managedconnection.RollbackReason;
import dev.managedconnection.ScopeOptions;
import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link ManagedConnectionMetrics} against a real PostgreSQL.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagedConnectionMetricsTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private static TestDatabase database;

	private final List<Thread> threads = new CopyOnWriteArrayList<>();

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.get().createDatabase(ManagedConnectionMetricsTests.class);
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@AfterEach
	void stopThreads() throws InterruptedException {
		for (Thread thread : this.threads) {
			thread.interrupt();
			thread.join(TimeUnit.SECONDS.toMillis(30));
			assertThat(thread.isAlive()).as("%s ended", thread).isFalse();
		}
	}

	@Test
	void knownSequenceOfCallsGivesKnownMeterValues() throws Exception {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		ManagedConnectionMetrics metrics = new ManagedConnectionMetrics();
		// Validate on every acquisition, so a terminated backend is replaced before use.
		try (ManagedConnection managed = builder().metricsTracker(metrics).validationIdleThreshold(Duration.ZERO).build()) {
			metrics.bindTo(registry);
			int meters = registry.getMeters().size();

			// 1: a plain scope.
			int pid = managed.execute(COMMIT, ManagedConnectionMetricsTests::backendPid);

			// 2: held while another thread waits and a third times out.
			CountDownLatch holding = new CountDownLatch(1);
			CountDownLatch done = new CountDownLatch(1);
			Future<Object> holder = inThread("holder", () -> managed.execute((connection) -> {
				holding.countDown();
				await(done);
				return null;
			}));
			await(holding);
			assertThat(gauge(registry, "managed.connection.active")).isEqualTo(1);
			Future<Object> waiter = inThread("waiter", () -> managed.execute((connection) -> null));
			awaitState(managed, (state) -> state.waitingThreads() == 1);
			assertThat(gauge(registry, "managed.connection.pending")).isEqualTo(1);
			assertThatExceptionOfType(AcquireTimeoutException.class).isThrownBy(() -> managed
				.execute(ScopeOptions.DEFAULT.withAcquireTimeout(Duration.ofMillis(100)), (connection) -> null));
			done.countDown();
			holder.get(30, TimeUnit.SECONDS);
			// 3: the waiter's scope.
			waiter.get(30, TimeUnit.SECONDS);

			// 4: a scope on a new backend after the old one was terminated.
			terminate(pid);
			assertThat(managed.execute(COMMIT, ManagedConnectionMetricsTests::backendPid)).isNotEqualTo(pid);

			// 5: the holder throws with a transaction open.
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> managed.execute((connection) -> {
				backendPid(connection);
				throw new IllegalStateException("boom");
			}));

			// 6: the holder returns with a transaction open.
			assertThatExceptionOfType(OpenTransactionException.class)
				.isThrownBy(() -> managed.execute(ManagedConnectionMetricsTests::backendPid));

			assertThat(registry.get("managed.connection.acquire").timer().count()).isEqualTo(6);
			assertThat(registry.get("managed.connection.usage").timer().count()).isEqualTo(6);
			assertThat(registry.get("managed.connection.timeouts").counter().count()).isEqualTo(1);
			assertThat(registry.get("managed.connection.reconnects").counter().count()).isEqualTo(1);
			assertThat(registry.get("managed.connection.rollbacks").tag("reason", "exception").counter().count())
				.isEqualTo(1);
			assertThat(registry.get("managed.connection.rollbacks").tag("reason", "open-transaction").counter().count())
				.isEqualTo(1);
			assertThat(gauge(registry, "managed.connection.active")).isZero();
			assertThat(gauge(registry, "managed.connection.pending")).isZero();
			assertThat(registry.getMeters()).as("every meter was built when bound").hasSize(meters);
		}
	}

	@Test
	void bindingBuildsEveryMeterWithTheGivenTagsAndRollbackReasons() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new ManagedConnectionMetrics(Tags.of("name", "orders")).bindTo(registry);
		assertThat(registry.getMeters()).extracting((meter) -> meter.getId().getName() + tags(meter))
			.containsExactlyInAnyOrder("managed.connection.acquire[name=orders]", "managed.connection.usage[name=orders]",
					"managed.connection.pending[name=orders]", "managed.connection.active[name=orders]",
					"managed.connection.timeouts[name=orders]", "managed.connection.reconnects[name=orders]",
					"managed.connection.rollbacks[name=orders, reason=exception]",
					"managed.connection.rollbacks[name=orders, reason=open-transaction]",
					"managed.connection.session.discards[name=orders]",
					"managed.connection.notifications[name=orders, outcome=delivered]",
					"managed.connection.notifications[name=orders, outcome=dropped]");
	}

	@Test
	void eventsBeforeBindingAreDroppedAndEachRegistryCountsOnce() {
		ManagedConnectionMetrics metrics = new ManagedConnectionMetrics();
		metrics.timedOut();
		MeterRegistry first = new SimpleMeterRegistry();
		MeterRegistry second = new SimpleMeterRegistry();
		metrics.bindTo(first);
		metrics.bindTo(first);
		metrics.bindTo(second);
		metrics.timedOut();
		metrics.rolledBack(RollbackReason.OPEN_TRANSACTION);
		metrics.sessionDiscarded();
		for (MeterRegistry registry : List.of(first, second)) {
			assertThat(registry.get("managed.connection.session.discards").counter().count()).isEqualTo(1);
			assertThat(registry.get("managed.connection.timeouts").counter().count()).isEqualTo(1);
			assertThat(registry.get("managed.connection.rollbacks").tag("reason", "open-transaction").counter().count())
				.isEqualTo(1);
		}
	}

	@Test
	void gaugesReadZeroUntilTheConnectionIsBuilt() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new ManagedConnectionMetrics().bindTo(registry);
		assertThat(gauge(registry, "managed.connection.active")).isZero();
		assertThat(gauge(registry, "managed.connection.pending")).isZero();
	}

	@Test
	void measureOneConnectionOnly() {
		ManagedConnectionMetrics metrics = new ManagedConnectionMetrics();
		try (ManagedConnection first = builder().metricsTracker(metrics).build()) {
			assertThatIllegalStateException().isThrownBy(() -> builder().metricsTracker(metrics).build())
				.withMessageContaining("measure one ManagedConnection");
		}
	}

	private static ManagedConnectionBuilder builder() {
		return ManagedConnection.builder()
			.url(database.url())
			.username(database.username())
			.password(database.password())
			.acquireTimeout(Duration.ofSeconds(20));
	}

	private static double gauge(MeterRegistry registry, String name) {
		return registry.get(name).gauge().value();
	}

	private static String tags(Meter meter) {
		return meter.getId().getTags().stream().map((tag) -> tag.getKey() + "=" + tag.getValue()).toList().toString();
	}

	private static int backendPid(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT pg_backend_pid()")) {
			rs.next();
			return rs.getInt(1);
		}
	}

	private static void terminate(int pid) throws SQLException {
		try (Connection admin = database.connect(); Statement statement = admin.createStatement()) {
			statement.execute("SELECT pg_terminate_backend(" + pid + ")");
			String count = "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid;
			Awaitility.await().alias("backend " + pid + " gone")
				.atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(10))
				.until(() -> {
					try (ResultSet rs = statement.executeQuery(count)) {
						rs.next();
						return rs.getInt(1) == 0;
					}
				});
		}
	}

	private static void awaitState(ManagedConnection managed, Predicate<ConnectionState> condition) {
		Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(10))
			.untilAsserted(() -> assertThat(managed.state()).as("state reached").matches(condition));
	}

	private static void await(CountDownLatch latch) {
		try {
			assertThat(latch.await(60, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private <T> Future<T> inThread(String name, Callable<T> task) {
		FutureTask<T> future = new FutureTask<>(task);
		Thread thread = new Thread(future, name);
		this.threads.add(thread);
		thread.start();
		return future;
	}

}
