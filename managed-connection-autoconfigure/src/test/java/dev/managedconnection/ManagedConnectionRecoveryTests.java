package dev.managedconnection;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.managedconnection.TestSql.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ManagedConnection} healing itself after its backend is terminated.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManagedConnectionRecoveryTests {

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE item (id int PRIMARY KEY)")
		.beforeEachTest("TRUNCATE item")
		.customize((builder) -> builder.validationIdleThreshold(Duration.ofMillis(100)));

	@Test
	void backendKilledWhileIdleIsReplacedWithoutTheNextCallerSeeingAnError() throws Exception {
		int first = pid();
		db.terminateBackend(first);
		// The precondition is that time passes: the connection must sit idle past the 100 ms
		// validation window, so that the next acquisition checks it. No event marks that moment,
		// so there is nothing to await; only a sleep makes it so.
		Thread.sleep(200);
		int second = pid();
		assertThat(second).isNotEqualTo(first);
	}

	@Test
	void backendKilledWhileHeldFailsTheHolderReleasesAndNextAcquisitionReconnects() throws Exception {
		int first = pid();
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> db.managed().execute((connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			db.terminateBackend(first);
			return update(connection, "INSERT INTO item VALUES (2)");
		})).satisfies((ex) -> assertThat(BrokenConnections.isBroken(ex)).isTrue());
		assertThat(db.managed().isHeldByCurrentThread()).isFalse();
		assertThat(db.managed().isClosed()).isTrue();
		assertThat(db.managed().status()).isEqualTo(TransactionStatus.UNKNOWN);
		assertThat(pid()).isNotEqualTo(first);
		assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
	}

	@Test
	void connectionUsedMomentsAgoIsNotValidatedAndAnIdleOneIs() throws Exception {
		try (ManagedConnection slowToValidate = db.builder()
			.validationIdleThreshold(Duration.ofHours(1))
			.build()) {
			int first = slowToValidate.execute(ScopeOptions.DEFAULT.withCommit(true), TestSql::backendPid);
			db.terminateBackend(first);
			// Within the window nothing checks the connection: the caller meets the break, and
			// the connection is replaced afterwards.
			assertThatExceptionOfType(SQLException.class)
				.isThrownBy(() -> slowToValidate.execute(ScopeOptions.DEFAULT.withCommit(true), TestSql::backendPid));
			assertThat(slowToValidate.execute(ScopeOptions.DEFAULT.withCommit(true), TestSql::backendPid))
				.isNotEqualTo(first);
		}
	}

	@Test
	void connectFailureTimesOutWithTheLastErrorAsCause() {
		try (ManagedConnection unreachable = ManagedConnection.builder()
			.url("jdbc:postgresql://127.0.0.1:1/nothing")
			.acquireTimeout(Duration.ofMillis(500))
			.build()) {
			assertThatExceptionOfType(AcquireTimeoutException.class)
				.isThrownBy(() -> unreachable.execute((connection) -> null))
				.withMessageContaining("Could not open a connection")
				.havingCause()
				.isInstanceOf(SQLException.class);
			assertThat(unreachable.isHeldByCurrentThread()).isFalse();
		}
	}

	private int pid() throws SQLException {
		return db.managed().execute(ScopeOptions.DEFAULT.withCommit(true), TestSql::backendPid);
	}

}
