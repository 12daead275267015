package dev.managedconnection;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.managedconnection.testsupport.Holder;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import dev.managedconnection.testsupport.ThreadPerTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.managedconnection.TestSql.update;
import static dev.managedconnection.testsupport.ManagedConnectionWaits.awaitWaitingThreads;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault tests: interrupting a waiter and a holder, and closing the managed connection while it
 * is in use. Exceptions come promptly, the interrupt flag is kept, the lock is never leaked and
 * unfinished work is rolled back.
 */
@Timeout(60)
class InterruptIntegrationTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private static final Duration PROMPTLY = Duration.ofSeconds(10);

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE item (id int PRIMARY KEY)")
		.beforeEachTest("TRUNCATE item")
		.customize((builder) -> builder.acquireTimeout(Duration.ofSeconds(30)));

	@Test
	void interruptingAWaiterFailsItPromptlyKeepsItsFlagAndLeavesTheHolderAlone() throws Exception {
		ManagedConnection managed = db.managed();
		try (Holder holder = Holder.of(managed).options(COMMIT).first("INSERT INTO item VALUES (1)").hold();
				Holder waiter = Holder.of(managed).named("interrupted-waiter").options(COMMIT).start().release()) {
			awaitWaitingThreads(managed, 1);
			waiter.thread().interrupt();
			assertThat(waiter.result()).failsWithin(PROMPTLY)
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(SQLException.class)
				.withCauseInstanceOf(InterruptedException.class);
			assertThat(waiter.interruptedAfterScope()).isTrue();
			assertThat(managed.state().waitingThreads()).isZero();
			assertThat(holder.result()).isNotDone();
			holder.release();
			assertThat(holder.result()).succeedsWithin(Duration.ofSeconds(30));
		}
		assertThat(db.queryLong("SELECT count(*) FROM item")).isEqualTo(1);
	}

	@Test
	void interruptingAHolderBetweenStatementsRollsBackReleasesTheLockAndKeepsTheFlag() throws Exception {
		ManagedConnection managed = db.managed();
		try (Holder holder = Holder.of(managed)
			.named("interrupted-holder")
			.options(COMMIT)
			.first("INSERT INTO item VALUES (1)")
			.then((connection) -> update(connection, "INSERT INTO item VALUES (2)"))
			.hold()) {
			holder.thread().interrupt();
			// The holder's own exception, unchanged.
			assertThat(holder.result()).failsWithin(PROMPTLY)
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(SQLException.class)
				.withMessageContaining("'interrupted-holder' was interrupted while holding");
			assertThat(holder.interruptedAfterScope()).isTrue();
		}
		assertThat(managed.state().holderThread()).isNull();
		assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
		// An ordinary rollback: the connection stays open for the next holder.
		assertThat(managed.isClosed()).isFalse();
		int inserted = managed.execute(COMMIT, (connection) -> update(connection, "INSERT INTO item VALUES (3)"));
		assertThat(inserted).isEqualTo(1);
	}

	@Test
	void aHolderInsideAStatementIsStoppedPromptlyByInterruptAndCancelAndItsWorkIsRolledBack() throws Exception {
		ManagedConnection managed = db.managed();
		int pid = managed.execute(COMMIT, TestSql::backendPid);
		try (Holder holder = Holder.of(managed)
			.named("interrupted-statement")
			.options(COMMIT)
			.first("INSERT INTO item VALUES (1)", "SELECT count(*) FROM pg_sleep(30)")
			.start()) {
			db.awaitActiveQuery(pid, "pg_sleep(30)");
			// JDBC statements do not notice interrupts; cancel() is what stops one.
			holder.thread().interrupt();
			managed.cancel();
			assertThat(holder.result()).failsWithin(PROMPTLY)
				.withThrowableThat()
				.havingCause()
				.isInstanceOfSatisfying(SQLException.class, (ex) -> assertThat(ex.getSQLState()).isEqualTo("57014"));
			assertThat(holder.interruptedAfterScope()).isTrue();
		}
		assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
		assertThat(managed.execute(COMMIT, TestSql::backendPid)).isEqualTo(pid);
	}

	@Test
	void anInterruptedThreadIsRefusedEvenWhenTheConnectionIsFreeAndKeepsItsFlag() throws Exception {
		CompletableFuture<Boolean> flag = ThreadPerTask.supplyAsync(() -> {
			Thread.currentThread().interrupt();
			try {
				db.managed().execute(COMMIT, TestSql::backendPid);
				throw new AssertionError("Expected an SQLException");
			}
			catch (SQLException ex) {
				return Thread.interrupted();
			}
		});
		assertThat(flag.get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(db.managed().state().holderThread()).isNull();
	}

	@Test
	void aHolderThatSetsItsInterruptFlagStillEndsItsScopeCleanly() throws Exception {
		CompletableFuture<Boolean> flag = ThreadPerTask.supplyAsync(() -> {
			call(COMMIT, (connection) -> {
				update(connection, "INSERT INTO item VALUES (1)");
				Thread.currentThread().interrupt();
				return null;
			});
			return Thread.interrupted();
		});
		assertThat(flag.get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(db.queryLong("SELECT count(*) FROM item")).isEqualTo(1);
		assertThat(db.managed().state().holderThread()).isNull();
	}

	@Test
	void closingWhileAHolderWorksLetsItFinishThenClosesThePhysicalConnection() throws Exception {
		ManagedConnection managed = db.managed();
		try (Holder holder = Holder.of(managed)
			.options(COMMIT)
			.first("INSERT INTO item VALUES (1)")
			.then((connection) -> update(connection, "INSERT INTO item VALUES (2)"))
			.hold()) {
			CompletableFuture<Void> close = ThreadPerTask.runAsync(managed::resetConnection);
			awaitWaitingThreads(managed, 1);
			assertThat(close).isNotDone();
			holder.release();
			assertThat(holder.result().get(30, TimeUnit.SECONDS)).isEqualTo(1);
			close.get(30, TimeUnit.SECONDS);
			assertThat(managed.isClosed()).isTrue();
			db.awaitBackendGone(holder.backendPid());
		}
		assertThat(db.queryLong("SELECT count(*) FROM item")).isEqualTo(2);
	}

	private <T> T call(ScopeOptions options, ConnectionCallback<T> action) {
		try {
			return db.managed().execute(options, action);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
