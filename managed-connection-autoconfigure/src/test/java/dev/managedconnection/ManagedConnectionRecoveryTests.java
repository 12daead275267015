package dev.managedconnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

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

/**
 * Tests for {@link ManagedConnection} healing itself after its backend is terminated.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManagedConnectionRecoveryTests {

	private static TestDatabase database;

	private ManagedConnection managed;

	@BeforeAll
	static void createDatabase() throws SQLException {
		database = TestPostgres.get().createDatabase(ManagedConnectionRecoveryTests.class);
		TestSql.execute(database, "CREATE TABLE item (id int PRIMARY KEY)");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@BeforeEach
	void createManagedConnection() throws SQLException {
		TestSql.execute(database, "TRUNCATE item");
		this.managed = TestSql.builderFor(database).validationIdleThreshold(Duration.ofMillis(100)).build();
	}

	@AfterEach
	void closeManagedConnection() {
		this.managed.close();
	}

	@Test
	void backendKilledWhileIdleIsReplacedWithoutTheNextCallerSeeingAnError() throws Exception {
		int first = pid();
		terminate(first);
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
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> this.managed.execute((connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			terminate(first);
			return update(connection, "INSERT INTO item VALUES (2)");
		})).satisfies((ex) -> assertThat(BrokenConnections.isBroken(ex)).isTrue());
		assertThat(this.managed.isHeldByCurrentThread()).isFalse();
		assertThat(this.managed.isClosed()).isTrue();
		assertThat(this.managed.status()).isEqualTo(TransactionStatus.UNKNOWN);
		assertThat(pid()).isNotEqualTo(first);
		assertThat(queryLong(database, "SELECT count(*) FROM item")).isZero();
	}

	@Test
	void connectionUsedMomentsAgoIsNotValidatedAndAnIdleOneIs() throws Exception {
		try (ManagedConnection slowToValidate = TestSql.builderFor(database)
			.validationIdleThreshold(Duration.ofHours(1))
			.build()) {
			int first = slowToValidate.execute(ScopeOptions.DEFAULT.withCommit(true), TestSql::backendPid);
			terminate(first);
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
		return this.managed.execute(ScopeOptions.DEFAULT.withCommit(true), TestSql::backendPid);
	}

	private static void terminate(int pid) throws SQLException {
		try (Connection admin = database.connect()) {
			queryLong(admin, "SELECT count(*) FROM (SELECT pg_terminate_backend(" + pid + ")) t");
			// Wait until the backend is gone so the test does not race the server.
			Faults.awaitBackendGone(admin, pid);
		}
	}

}
