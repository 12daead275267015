package dev.managedconnection.health;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ScopeOptions;
import dev.managedconnection.TransactionStatus;
import dev.managedconnection.testsupport.Holder;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import dev.managedconnection.testsupport.TestPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.ThrowingSupplier;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static dev.managedconnection.testsupport.ManagedConnectionWaits.awaitHeldBy;
import static dev.managedconnection.testsupport.ManagedConnectionWaits.awaitWaitingThreads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Tests for {@link ManagedConnectionHealthIndicator} against a real PostgreSQL.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagedConnectionHealthIndicatorTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	/**
	 * Far below the 20 s acquire timeout of the connections under test, far above a check.
	 */
	private static final Duration GENEROUS = Duration.ofSeconds(10);

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create();

	@Test
	void upWithBackendPidServerVersionAndTransactionStatus() throws SQLException {
		ManagedConnection managed = db.managed();
		Health health = new ManagedConnectionHealthIndicator(managed).health();
		int pid = managed.execute(COMMIT, ManagedConnectionHealthIndicatorTests::backendPid);
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("backendPid", pid)
			.containsEntry("serverVersion", serverVersion())
			.containsEntry("transactionStatus", TransactionStatus.IDLE)
			.containsEntry("waitingThreads", 0)
			.doesNotContainKeys("holderThread", "heldFor", "error");
		assertThat(managed.status()).as("the check leaves no transaction behind").isEqualTo(TransactionStatus.IDLE);
	}

	@Test
	void calledByTheHolderItselfChecksOnTheHeldConnection() throws SQLException {
		ManagedConnection managed = db.managed();
		ManagedConnectionHealthIndicator indicator = new ManagedConnectionHealthIndicator(managed);
		Health health = managed.execute(COMMIT, (connection) -> indicator.health());
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("holderThread", Thread.currentThread().getName());
	}

	@Test
	void busyConnectionIsReportedFromItsStateWithoutQueueing() throws Exception {
		ManagedConnection managed = db.managed();
		int pid = managed.execute(COMMIT, ManagedConnectionHealthIndicatorTests::backendPid);
		try (Holder holder = Holder.hold(managed, "busy-holder");
				Holder waiter = Holder.of(managed).named("waiter").start().release()) {
			awaitWaitingThreads(managed, 1);
			Health health = healthWithinBound(new ManagedConnectionHealthIndicator(managed));
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("backendPid", pid)
				.containsEntry("holderThread", "busy-holder")
				.containsEntry("waitingThreads", 1)
				.containsKey("heldFor");
			assertThat((String) health.getDetails().get("heldFor")).matches("\\d+ ms");
			holder.release();
			holder.result().get(30, TimeUnit.SECONDS);
			waiter.result().get(30, TimeUnit.SECONDS);
		}
	}

	@Test
	void holderStillOpeningTheConnectionIsReportedAsUnknownWithoutQueueing() throws Exception {
		try (ManagedConnection unreachable = ManagedConnection.builder()
			.url("jdbc:postgresql://127.0.0.1:1/nothing")
			.acquireTimeout(Duration.ofSeconds(5))
			.build()) {
			try (Holder opener = Holder.of(unreachable).named("opener").start()) {
				awaitHeldBy(unreachable, "opener");
				Health health = healthWithinBound(new ManagedConnectionHealthIndicator(unreachable));
				assertThat(health.getStatus()).isEqualTo(Status.UNKNOWN);
				assertThat(health.getDetails()).containsEntry("holderThread", "opener")
					.containsEntry("transactionStatus", TransactionStatus.UNKNOWN)
					.doesNotContainKey("backendPid");
				assertThat(opener.result()).failsWithin(30, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void downWithTheErrorWhenNothingListensAtTheAddress() {
		try (ManagedConnection unreachable = connectionTo("jdbc:postgresql://127.0.0.1:1/nothing")) {
			Health health = healthWithinBound(new ManagedConnectionHealthIndicator(unreachable));
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat((String) health.getDetails().get("error")).contains("AcquireTimeoutException",
					"Could not open a connection", "127.0.0.1:1");
			assertThat(unreachable.isHeldByCurrentThread()).isFalse();
		}
	}

	@Test
	void upWhileTheServerRunsThenDownWithTheErrorOnceItStops() throws IOException, SQLException {
		EmbeddedPostgres server = TestPostgres.startEmbeddedServer();
		boolean stopped = false;
		try (ManagedConnection managed = connectionTo(server.getJdbcUrl("postgres", "postgres"))) {
			ManagedConnectionHealthIndicator indicator = new ManagedConnectionHealthIndicator(managed);
			assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
			server.close();
			stopped = true;
			Health health = healthWithinBound(indicator);
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails()).containsKey("error");
			// Once the break is known, the next check tries to reconnect and names why it cannot.
			Health next = healthWithinBound(indicator);
			assertThat(next.getStatus()).isEqualTo(Status.DOWN);
			assertThat((String) next.getDetails().get("error")).contains("Could not open a connection");
		}
		finally {
			if (!stopped) {
				server.close();
			}
		}
	}

	/**
	 * Check on another thread, failing if the check takes longer than {@link #GENEROUS}.
	 */
	private static Health healthWithinBound(ManagedConnectionHealthIndicator indicator) {
		ThrowingSupplier<Health> check = indicator::health;
		return assertTimeoutPreemptively(GENEROUS, check);
	}

	private static ManagedConnection connectionTo(String url) {
		return db.builder().url(url).build();
	}

	private static int backendPid(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT pg_backend_pid()")) {
			rs.next();
			return rs.getInt(1);
		}
	}

	private static String serverVersion() throws SQLException {
		try (Connection connection = db.connect()) {
			return connection.getMetaData().getDatabaseProductVersion();
		}
	}

}
