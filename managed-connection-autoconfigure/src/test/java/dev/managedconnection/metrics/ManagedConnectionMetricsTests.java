package dev.managedconnection.metrics;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.managedconnection.AcquireTimeoutException;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.OpenTransactionException;
import dev.managedconnection.RollbackReason;
import dev.managedconnection.ScopeOptions;
import dev.managedconnection.testsupport.Holder;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.managedconnection.testsupport.ManagedConnectionWaits.awaitWaitingThreads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link ManagedConnectionMetrics} against a real PostgreSQL.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagedConnectionMetricsTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create();

	@Test
	void knownSequenceOfCallsGivesKnownMeterValues() throws Exception {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		ManagedConnectionMetrics metrics = new ManagedConnectionMetrics();
		// Validate on every acquisition, so a terminated backend is replaced before use.
		ManagedConnection managed = db
			.managed((builder) -> builder.metricsTracker(metrics).validationIdleThreshold(Duration.ZERO));
		metrics.bindTo(registry);
		int meters = registry.getMeters().size();

		// 1: a plain scope.
		int pid = managed.execute(COMMIT, ManagedConnectionMetricsTests::backendPid);

		// 2: held while another thread waits and a third times out.
		try (Holder holder = Holder.hold(managed)) {
			assertThat(gauge(registry, "managed.connection.active")).isEqualTo(1);
			try (Holder waiter = Holder.of(managed).named("waiter").start().release()) {
				awaitWaitingThreads(managed, 1);
				assertThat(gauge(registry, "managed.connection.pending")).isEqualTo(1);
				assertThatExceptionOfType(AcquireTimeoutException.class).isThrownBy(() -> managed
					.execute(ScopeOptions.DEFAULT.withAcquireTimeout(Duration.ofMillis(100)), (connection) -> null));
				holder.release();
				holder.result().get(30, TimeUnit.SECONDS);
				// 3: the waiter's scope.
				waiter.result().get(30, TimeUnit.SECONDS);
			}
		}

		// 4: a scope on a new backend after the old one was terminated.
		db.terminateBackend(pid);
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
		try (ManagedConnection first = db.builder().metricsTracker(metrics).build()) {
			assertThatIllegalStateException().isThrownBy(() -> db.builder().metricsTracker(metrics).build())
				.withMessageContaining("measure one ManagedConnection");
		}
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

}
