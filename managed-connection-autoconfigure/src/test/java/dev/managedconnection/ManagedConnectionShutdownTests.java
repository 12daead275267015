package dev.managedconnection;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.managedconnection.testsupport.Holder;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import dev.managedconnection.testsupport.ThreadPerTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.managedconnection.TestSql.update;
import static dev.managedconnection.testsupport.ManagedConnectionWaits.awaitWaitingThreads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ManagedConnection#close()}: unlike {@code resetConnection()} it is final, and
 * it does not wait for the holder. The Spring-level scenario (closing the context under load)
 * is {@code ManagedConnectionShutdownIntegrationTests}.
 */
class ManagedConnectionShutdownTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE item (id int PRIMARY KEY)")
		.beforeEachTest("TRUNCATE item");

	@Test
	void resetConnectionLetsTheNextAcquisitionReopenButCloseRefusesItForGood() throws SQLException {
		int first = db.managed().execute(COMMIT, TestSql::backendPid);
		db.managed().resetConnection();
		assertThat(db.managed().execute(COMMIT, TestSql::backendPid)).isNotEqualTo(first);
		db.managed().close();
		assertThat(db.managed().isClosed()).isTrue();
		assertThat(db.managed()).hasToString("ManagedConnection[" + db.url() + " (closed for good)]");
		assertThatExceptionOfType(SQLNonTransientConnectionException.class)
			.isThrownBy(() -> db.managed().execute(COMMIT, TestSql::backendPid))
			.withMessageContaining("closed for good")
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("08003"));
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> db.managed().asDataSource().getConnection());
		assertThat(db.managed().isClosed()).isTrue();
	}

	@Test
	void closeByTheHolderClosesWhenItsScopeEndsAndKeepsItsWork() throws SQLException {
		db.managed().execute((connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			db.managed().close();
			assertThat(db.managed().isClosed()).isFalse();
			connection.commit();
			return null;
		});
		assertThat(db.managed().isClosed()).isTrue();
		assertThat(db.queryLong("SELECT count(*) FROM item")).isOne();
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> db.managed().execute(COMMIT, TestSql::backendPid));
	}

	@Test
	void holderBetweenStatementsIsNotWaitedForAndItsNextStatementFailsWithNothingCommitted() throws Exception {
		ManagedConnection managed = db.managed();
		try (Holder holder = Holder.of(managed).first("INSERT INTO item VALUES (1)").then((connection) -> {
			update(connection, "INSERT INTO item VALUES (2)");
			connection.commit();
			return null;
		}).hold()) {
			// Returns without waiting for the holder, which is blocked until after it returns.
			managed.close();
			holder.release();
			assertThat(holder.result()).failsWithin(30, TimeUnit.SECONDS)
				.withThrowableThat()
				.havingRootCause()
				.isInstanceOf(SQLException.class);
			assertThat(managed.state().holderThread()).isNull();
			assertThat(managed.isClosed()).isTrue();
			assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
			db.awaitBackendGone(holder.backendPid());
		}
	}

	@Test
	void waitersFailAsTheirTurnComesInsteadOfWaitingOutTheAcquireTimeout() throws Exception {
		ManagedConnection managed = db.managed();
		try (Holder holder = Holder.hold(managed)) {
			CompletableFuture<Integer> waiter = ThreadPerTask.supplyAsync(() -> {
				try {
					return managed.execute(COMMIT, TestSql::backendPid);
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});
			awaitWaitingThreads(managed, 1);
			managed.close();
			holder.release();
			// The builder's acquire timeout is far longer than this bound.
			assertThat(waiter).failsWithin(10, TimeUnit.SECONDS)
				.withThrowableThat()
				.havingRootCause()
				.isInstanceOf(SQLNonTransientConnectionException.class)
				.withMessageContaining("closed for good");
			// The holder's connection was aborted under it; its scope ends either way.
			await().atMost(Duration.ofSeconds(10)).until(holder.result()::isDone);
			assertThat(managed.state().waitingThreads()).isZero();
			assertThat(managed.isClosed()).isTrue();
		}
	}

}
