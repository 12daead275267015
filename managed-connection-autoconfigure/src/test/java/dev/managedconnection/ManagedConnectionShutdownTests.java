package dev.managedconnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.managedconnection.TestSql.backendPid;
import static dev.managedconnection.TestSql.queryLong;
import static dev.managedconnection.TestSql.update;
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

	private static TestDatabase database;

	private ManagedConnection managed;

	@BeforeAll
	static void createDatabase() throws SQLException {
		database = TestPostgres.get().createDatabase(ManagedConnectionShutdownTests.class);
		TestSql.execute(database, "CREATE TABLE item (id int PRIMARY KEY)");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@BeforeEach
	void createManagedConnection() throws SQLException {
		TestSql.execute(database, "TRUNCATE item");
		this.managed = TestSql.builderFor(database).build();
	}

	@AfterEach
	void closeForGood() {
		this.managed.close();
	}

	@Test
	void resetConnectionLetsTheNextAcquisitionReopenButCloseRefusesItForGood() throws SQLException {
		int first = this.managed.execute(COMMIT, TestSql::backendPid);
		this.managed.resetConnection();
		assertThat(this.managed.execute(COMMIT, TestSql::backendPid)).isNotEqualTo(first);
		this.managed.close();
		assertThat(this.managed.isClosed()).isTrue();
		assertThat(this.managed).hasToString("ManagedConnection[" + database.url() + " (closed for good)]");
		assertThatExceptionOfType(SQLNonTransientConnectionException.class)
			.isThrownBy(() -> this.managed.execute(COMMIT, TestSql::backendPid))
			.withMessageContaining("closed for good")
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("08003"));
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> this.managed.asDataSource().getConnection());
		assertThat(this.managed.isClosed()).isTrue();
	}

	@Test
	void closeByTheHolderClosesWhenItsScopeEndsAndKeepsItsWork() throws SQLException {
		this.managed.execute((connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			this.managed.close();
			assertThat(this.managed.isClosed()).isFalse();
			connection.commit();
			return null;
		});
		assertThat(this.managed.isClosed()).isTrue();
		assertThat(queryLong(database, "SELECT count(*) FROM item")).isOne();
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> this.managed.execute(COMMIT, TestSql::backendPid));
	}

	@Test
	void holderBetweenStatementsIsNotWaitedForAndItsNextStatementFailsWithNothingCommitted() throws Exception {
		CountDownLatch inserted = new CountDownLatch(1);
		CountDownLatch shutDown = new CountDownLatch(1);
		int[] pid = new int[1];
		CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> {
			try {
				this.managed.execute((connection) -> {
					pid[0] = backendPid(connection);
					update(connection, "INSERT INTO item VALUES (1)");
					inserted.countDown();
					TestSql.await(shutDown);
					update(connection, "INSERT INTO item VALUES (2)");
					connection.commit();
					return null;
				});
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		});
		assertThat(inserted.await(30, TimeUnit.SECONDS)).isTrue();
		// Returns without waiting for the holder, which is blocked until after it returns.
		this.managed.close();
		shutDown.countDown();
		assertThat(holder).failsWithin(30, TimeUnit.SECONDS)
			.withThrowableThat()
			.havingRootCause()
			.isInstanceOf(SQLException.class);
		assertThat(this.managed.state().holderThread()).isNull();
		assertThat(this.managed.isClosed()).isTrue();
		assertThat(queryLong(database, "SELECT count(*) FROM item")).isZero();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> queryLong(database, "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid[0]) == 0);
	}

	@Test
	void waitersFailAsTheirTurnComesInsteadOfWaitingOutTheAcquireTimeout() throws Exception {
		CountDownLatch holding = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> {
			try {
				this.managed.execute((Connection connection) -> {
					holding.countDown();
					TestSql.await(release);
					return null;
				});
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		});
		assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> {
			try {
				return this.managed.execute(COMMIT, TestSql::backendPid);
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		});
		await().atMost(Duration.ofSeconds(30)).until(() -> this.managed.state().waitingThreads() == 1);
		this.managed.close();
		release.countDown();
		// The builder's acquire timeout is far longer than this bound.
		assertThat(waiter).failsWithin(10, TimeUnit.SECONDS)
			.withThrowableThat()
			.havingRootCause()
			.isInstanceOf(SQLNonTransientConnectionException.class)
			.withMessageContaining("closed for good");
		// The holder's connection was aborted under it; its scope ends either way.
		await().atMost(Duration.ofSeconds(10)).until(holder::isDone);
		assertThat(this.managed.state().waitingThreads()).isZero();
		assertThat(this.managed.isClosed()).isTrue();
	}

}
