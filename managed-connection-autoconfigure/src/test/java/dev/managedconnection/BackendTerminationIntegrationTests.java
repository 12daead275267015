package dev.managedconnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.managedconnection.TestSql.backendPid;
import static dev.managedconnection.TestSql.queryLong;
import static dev.managedconnection.TestSql.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Fault tests: the backend is killed with {@code pg_terminate_backend} while the connection is
 * idle and while a holder is between two updates of one transaction.
 */
@Timeout(60)
class BackendTerminationIntegrationTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private static TestDatabase database;

	private Connection admin;

	private ManagedConnection managed;

	@BeforeAll
	static void createDatabase() throws SQLException {
		database = TestPostgres.get().createDatabase(BackendTerminationIntegrationTests.class);
		TestSql.execute(database, "CREATE TABLE account (id int PRIMARY KEY, balance int NOT NULL)");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@BeforeEach
	void setUp() throws SQLException {
		TestSql.execute(database, "TRUNCATE account");
		TestSql.execute(database, "INSERT INTO account VALUES (1, 100), (2, 100)");
		this.admin = database.connect();
	}

	@AfterEach
	void tearDown() throws SQLException {
		if (this.managed != null) {
			this.managed.close();
		}
		this.admin.close();
	}

	@Test
	void backendKilledWhileIdleIsReplacedWithoutTheNextCallerSeeingAnError() throws Exception {
		this.managed = TestSql.builderFor(database).validationIdleThreshold(Duration.ZERO).build();
		int before = this.managed.execute(COMMIT, TestSql::backendPid);
		Faults.terminateBackend(this.admin, before);
		int after = this.managed.execute(COMMIT, TestSql::backendPid);
		assertThat(after).isNotEqualTo(before);
		assertThat(this.managed.state().backendPid()).isEqualTo(after);
	}

	@Test
	void backendKilledInsideTheValidationWindowFailsOneCallerWithAConnectionErrorAndTheNextReconnects()
			throws Exception {
		// Within the window no round trip checks the connection: the break reaches one caller.
		this.managed = TestSql.builderFor(database).validationIdleThreshold(Duration.ofMinutes(10)).build();
		int before = this.managed.execute(COMMIT, TestSql::backendPid);
		Faults.terminateBackend(this.admin, before);
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> this.managed.execute(COMMIT, TestSql::backendPid))
			.satisfies((ex) -> assertThat(Faults.isBrokenConnection(ex)).as("broken connection: %s", ex).isTrue());
		assertThat(this.managed.isHeldByCurrentThread()).isFalse();
		assertThat(this.managed.state().holderThread()).isNull();
		assertThat(this.managed.isClosed()).isTrue();
		int after = this.managed.execute(COMMIT, TestSql::backendPid);
		assertThat(after).isNotEqualTo(before);
	}

	@Test
	void backendKilledBetweenTwoUpdatesLeavesNothingHalfDoneAndTheHolderGetsTheOriginalError() throws Exception {
		this.managed = TestSql.builderFor(database).build();
		AtomicReference<SQLException> original = new AtomicReference<>();
		AtomicReference<Integer> killed = new AtomicReference<>();
		SQLException thrown = catchThrowableOfType(SQLException.class,
				() -> this.managed.execute(COMMIT, (connection) -> {
					update(connection, "UPDATE account SET balance = balance - 10 WHERE id = 1");
					int pid = backendPid(connection);
					killed.set(pid);
					Faults.terminateBackend(this.admin, pid);
					try {
						return update(connection, "UPDATE account SET balance = balance + 10 WHERE id = 2");
					}
					catch (SQLException ex) {
						original.set(ex);
						throw ex;
					}
				}));
		assertThat((Throwable) thrown).isNotNull().isSameAs(original.get());
		assertThat(Faults.isBrokenConnection(thrown)).isTrue();
		assertThat(queryLong(this.admin, "SELECT balance FROM account WHERE id = 1")).isEqualTo(100);
		assertThat(queryLong(this.admin, "SELECT balance FROM account WHERE id = 2")).isEqualTo(100);
		// The lock was released: another thread gets the connection at once, on a new backend.
		int next = CompletableFuture
			.supplyAsync(() -> {
				try {
					return this.managed.execute(COMMIT.withAcquireTimeout(Duration.ofSeconds(1)), TestSql::backendPid);
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			})
			.get(10, TimeUnit.SECONDS);
		assertThat(next).isNotEqualTo(killed.get());
	}

	@Test
	void backendKilledWhileTheHolderRunsAStatementEndsTheScopeAndTheNextCallerReconnects() throws Exception {
		this.managed = TestSql.builderFor(database).build();
		int pid = this.managed.execute(COMMIT, TestSql::backendPid);
		CompletableFuture<Long> sleeper = CompletableFuture.supplyAsync(() -> {
			try {
				return this.managed.execute(COMMIT, (connection) -> {
					update(connection, "UPDATE account SET balance = 0 WHERE id = 1");
					return queryLong(connection, "SELECT count(*) FROM pg_sleep(30)");
				});
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		});
		Faults.awaitActiveQuery(this.admin, pid, "pg_sleep(30)");
		Faults.terminateBackend(this.admin, pid);
		assertThat(sleeper).failsWithin(Duration.ofSeconds(10))
			.withThrowableOfType(java.util.concurrent.ExecutionException.class)
			.satisfies((ex) -> assertThat(Faults.isBrokenConnection(ex.getCause())).isTrue());
		assertThat(queryLong(this.admin, "SELECT balance FROM account WHERE id = 1")).isEqualTo(100);
		assertThat(this.managed.execute(COMMIT, TestSql::backendPid)).isNotEqualTo(pid);
	}

	@Test
	void backendKilledAfterTheHolderCommittedDoesNotFailTheCallWhoseWorkIsCommitted() throws Exception {
		// The session reset after the scope meets the dead connection: that is housekeeping,
		// not the caller's work, which committed. Reporting a failure would invite a retry.
		// The SET makes the reset send DISCARD ALL, which finds the connection dead.
		this.managed = TestSql.builderFor(database).build();
		int result = this.managed.execute((connection) -> {
			update(connection, "SET search_path = public");
			int updated = update(connection, "UPDATE account SET balance = 0 WHERE id = 1");
			int pid = backendPid(connection);
			connection.commit();
			Faults.terminateBackend(this.admin, pid);
			return updated;
		});
		assertThat(result).isEqualTo(1);
		assertThat(queryLong(this.admin, "SELECT balance FROM account WHERE id = 1")).isZero();
		assertThat(this.managed.isClosed()).isTrue();
		assertThat(this.managed.execute(COMMIT, TestSql::backendPid)).isPositive();
	}

}
