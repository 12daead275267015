package dev.managedconnection;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.managedconnection.testsupport.Holder;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.managedconnection.TestSql.queryLong;
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

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE item (id int PRIMARY KEY)")
		.beforeEachTest("TRUNCATE item")
		.customize((builder) -> builder.acquireTimeout(Duration.ofSeconds(30)));

	@Test
	void interruptingAWaiterFailsItPromptlyKeepsItsFlagAndLeavesTheHolderAlone() throws Exception {
		ManagedConnection managed = db.managed();
		try (Holder holder = Holder.of(managed).options(COMMIT).first("INSERT INTO item VALUES (1)").hold()) {
			AtomicBoolean flagKept = new AtomicBoolean();
			AtomicReference<Throwable> waiterFailure = new AtomicReference<>();
			Thread waiter = new Thread(() -> {
				try {
					managed.execute(COMMIT, TestSql::backendPid);
				}
				catch (SQLException ex) {
					waiterFailure.set(ex);
				}
				flagKept.set(Thread.currentThread().isInterrupted());
			}, "interrupted-waiter");
			waiter.start();
			awaitWaitingThreads(managed, 1);
			waiter.interrupt();
			waiter.join(TimeUnit.SECONDS.toMillis(10));
			assertThat(waiter.isAlive()).isFalse();
			assertThat(waiterFailure.get()).isInstanceOf(SQLException.class)
				.hasCauseInstanceOf(InterruptedException.class);
			assertThat(flagKept).isTrue();
			assertThat(managed.state().waitingThreads()).isZero();
			assertThat(holder.result()).isNotDone();
			holder.release();
			assertThat(holder.result()).succeedsWithin(Duration.ofSeconds(30));
		}
		assertThat(db.queryLong("SELECT count(*) FROM item")).isEqualTo(1);
	}

	@Test
	void interruptingAHolderBetweenStatementsRollsBackReleasesTheLockAndKeepsTheFlag() throws Exception {
		CountDownLatch held = new CountDownLatch(1);
		AtomicBoolean flagKept = new AtomicBoolean();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		Thread holder = new Thread(() -> {
			try {
				db.managed().execute(COMMIT, (connection) -> {
					update(connection, "INSERT INTO item VALUES (1)");
					held.countDown();
					try {
						new CountDownLatch(1).await(30, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
						throw new SQLException("Interrupted while working", ex);
					}
					return update(connection, "INSERT INTO item VALUES (2)");
				});
			}
			catch (SQLException ex) {
				failure.set(ex);
			}
			flagKept.set(Thread.currentThread().isInterrupted());
		}, "interrupted-holder");
		holder.start();
		assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
		holder.interrupt();
		holder.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(holder.isAlive()).isFalse();
		assertThat(failure.get()).hasMessage("Interrupted while working");
		assertThat(flagKept).isTrue();
		assertThat(db.managed().state().holderThread()).isNull();
		assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
		// An ordinary rollback: the connection stays open for the next holder.
		assertThat(db.managed().isClosed()).isFalse();
		int inserted = db.managed().execute(COMMIT, (connection) -> update(connection, "INSERT INTO item VALUES (3)"));
		assertThat(inserted).isEqualTo(1);
	}

	@Test
	void aHolderInsideAStatementIsStoppedPromptlyByInterruptAndCancelAndItsWorkIsRolledBack() throws Exception {
		int pid = db.managed().execute(COMMIT, TestSql::backendPid);
		AtomicBoolean flagKept = new AtomicBoolean();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		Thread holder = new Thread(() -> {
			try {
				db.managed().execute(COMMIT, (connection) -> {
					update(connection, "INSERT INTO item VALUES (1)");
					return queryLong(connection, "SELECT count(*) FROM pg_sleep(30)");
				});
			}
			catch (SQLException ex) {
				failure.set(ex);
			}
			flagKept.set(Thread.currentThread().isInterrupted());
		}, "interrupted-statement");
		holder.start();
		db.awaitActiveQuery(pid, "pg_sleep(30)");
		// JDBC statements do not notice interrupts; cancel() is what stops one.
		holder.interrupt();
		db.managed().cancel();
		holder.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(holder.isAlive()).isFalse();
		assertThat(failure.get()).isInstanceOf(SQLException.class);
		assertThat(((SQLException) failure.get()).getSQLState()).isEqualTo("57014");
		assertThat(flagKept).isTrue();
		assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
		assertThat(db.managed().execute(COMMIT, TestSql::backendPid)).isEqualTo(pid);
	}

	@Test
	void anInterruptedThreadIsRefusedEvenWhenTheConnectionIsFreeAndKeepsItsFlag() throws Exception {
		CompletableFuture<Boolean> flag = CompletableFuture.supplyAsync(() -> {
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
		CompletableFuture<Boolean> flag = CompletableFuture.supplyAsync(() -> {
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
			CompletableFuture<Void> close = CompletableFuture.runAsync(managed::resetConnection);
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
