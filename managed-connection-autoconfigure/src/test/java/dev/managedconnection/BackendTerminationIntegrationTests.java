package dev.managedconnection;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.managedconnection.testsupport.ManagedConnectionExtension;
import dev.managedconnection.testsupport.ThreadPerTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

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

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE account (id int PRIMARY KEY, balance int NOT NULL)")
		.beforeEachTest("TRUNCATE account", "INSERT INTO account VALUES (1, 100), (2, 100)");

	@Test
	void backendKilledWhileIdleIsReplacedWithoutTheNextCallerSeeingAnError() throws Exception {
		ManagedConnection managed = db.managed((builder) -> builder.validationIdleThreshold(Duration.ZERO));
		int before = managed.execute(COMMIT, TestSql::backendPid);
		db.terminateBackend(before);
		int after = managed.execute(COMMIT, TestSql::backendPid);
		assertThat(after).isNotEqualTo(before);
		assertThat(managed.state().backendPid()).isEqualTo(after);
	}

	@Test
	void backendKilledInsideTheValidationWindowFailsOneCallerWithAConnectionErrorAndTheNextReconnects()
			throws Exception {
		// Within the window no round trip checks the connection: the break reaches one caller.
		ManagedConnection managed = db.managed((builder) -> builder.validationIdleThreshold(Duration.ofMinutes(10)));
		int before = managed.execute(COMMIT, TestSql::backendPid);
		db.terminateBackend(before);
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> managed.execute(COMMIT, TestSql::backendPid))
			.satisfies((ex) -> assertThat(Faults.isBrokenConnection(ex)).as("broken connection: %s", ex).isTrue());
		assertThat(managed.isHeldByCurrentThread()).isFalse();
		assertThat(managed.state().holderThread()).isNull();
		assertThat(managed.isClosed()).isTrue();
		int after = managed.execute(COMMIT, TestSql::backendPid);
		assertThat(after).isNotEqualTo(before);
	}

	@Test
	void backendKilledBetweenTwoUpdatesLeavesNothingHalfDoneAndTheHolderGetsTheOriginalError() throws Exception {
		ManagedConnection managed = db.managed();
		AtomicReference<SQLException> original = new AtomicReference<>();
		AtomicReference<Integer> killed = new AtomicReference<>();
		SQLException thrown = catchThrowableOfType(SQLException.class,
				() -> managed.execute(COMMIT, (connection) -> {
					update(connection, "UPDATE account SET balance = balance - 10 WHERE id = 1");
					int pid = backendPid(connection);
					killed.set(pid);
					db.terminateBackend(pid);
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
		assertThat(db.queryLong("SELECT balance FROM account WHERE id = 1")).isEqualTo(100);
		assertThat(db.queryLong("SELECT balance FROM account WHERE id = 2")).isEqualTo(100);
		// The lock was released: another thread gets the connection at once, on a new backend.
		int next = CompletableFuture
			.supplyAsync(() -> {
				try {
					return managed.execute(COMMIT.withAcquireTimeout(Duration.ofSeconds(1)), TestSql::backendPid);
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
		ManagedConnection managed = db.managed();
		int pid = managed.execute(COMMIT, TestSql::backendPid);
		CompletableFuture<Long> sleeper = ThreadPerTask.supplyAsync(() -> {
			try {
				return managed.execute(COMMIT, (connection) -> {
					update(connection, "UPDATE account SET balance = 0 WHERE id = 1");
					return queryLong(connection, "SELECT count(*) FROM pg_sleep(30)");
				});
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		});
		db.awaitActiveQuery(pid, "pg_sleep(30)");
		db.terminateBackend(pid);
		assertThat(sleeper).failsWithin(Duration.ofSeconds(10))
			.withThrowableOfType(java.util.concurrent.ExecutionException.class)
			.satisfies((ex) -> assertThat(Faults.isBrokenConnection(ex.getCause())).isTrue());
		assertThat(db.queryLong("SELECT balance FROM account WHERE id = 1")).isEqualTo(100);
		assertThat(managed.execute(COMMIT, TestSql::backendPid)).isNotEqualTo(pid);
	}

	@Test
	void backendKilledAfterTheHolderCommittedDoesNotFailTheCallWhoseWorkIsCommitted() throws Exception {
		// The session reset after the scope meets the dead connection: that is housekeeping,
		// not the caller's work, which committed. Reporting a failure would invite a retry.
		// The SET makes the reset send DISCARD ALL, which finds the connection dead.
		ManagedConnection managed = db.managed();
		int result = managed.execute((connection) -> {
			update(connection, "SET search_path = public");
			int updated = update(connection, "UPDATE account SET balance = 0 WHERE id = 1");
			int pid = backendPid(connection);
			connection.commit();
			db.terminateBackend(pid);
			return updated;
		});
		assertThat(result).isEqualTo(1);
		assertThat(db.queryLong("SELECT balance FROM account WHERE id = 1")).isZero();
		assertThat(managed.isClosed()).isTrue();
		assertThat(managed.execute(COMMIT, TestSql::backendPid)).isPositive();
	}

}
