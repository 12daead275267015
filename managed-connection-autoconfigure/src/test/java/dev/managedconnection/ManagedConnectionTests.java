package dev.managedconnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.managedconnection.TestSql.backendPid;
import static dev.managedconnection.TestSql.queryLong;
import static dev.managedconnection.TestSql.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link ManagedConnection} on one thread: the original package's scenarios, release
 * rules, scope options, handles and clean hand-over, against a real PostgreSQL.
 */
class ManagedConnectionTests {

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE item (id int PRIMARY KEY, name text)")
		.beforeEachTest("TRUNCATE item");

	@Test
	void aMetricsTrackerThatThrowsLeavesTheConnectionFreeForTheNextThread() throws Exception {
		AtomicBoolean failAcquired = new AtomicBoolean(true);
		AtomicBoolean failReleased = new AtomicBoolean(false);
		MetricsTracker throwing = new MetricsTracker() {

			@Override
			public void acquired(long waitNanos) {
				if (failAcquired.get()) {
					throw new IllegalStateException("acquired failed");
				}
			}

			@Override
			public void released(long heldNanos) {
				if (failReleased.get()) {
					throw new IllegalStateException("released failed");
				}
			}

		};
		try (ManagedConnection tracked = db.builder()
			.metricsTracker(throwing)
			.acquireTimeout(Duration.ofSeconds(5))
			.build()) {
			assertThatIllegalStateException().isThrownBy(() -> tracked.execute(TestSql::backendPid))
				.withMessage("acquired failed");
			assertThat(tracked.isHeldByCurrentThread()).isFalse();
			failAcquired.set(false);
			failReleased.set(true);
			assertThatIllegalStateException().isThrownBy(() -> tracked.execute(ScopeOptions.DEFAULT.withCommit(true),
					TestSql::backendPid))
				.withMessage("released failed");
			assertThat(tracked.isHeldByCurrentThread()).isFalse();
			failReleased.set(false);
			// Another thread gets the connection at once: neither failure left it held.
			ExecutorService other = Executors.newSingleThreadExecutor();
			try {
				Integer pid = other.submit(() -> tracked.execute(ScopeOptions.DEFAULT.withCommit(true), TestSql::backendPid))
					.get(10, TimeUnit.SECONDS);
				assertThat(pid).isPositive();
			}
			finally {
				other.shutdownNow();
			}
			assertThat(tracked.state().waitingThreads()).isZero();
		}
	}

	@Test
	void isClosedBeforeFirstUseAndToStringSaysSo() {
		assertThat(db.managed().isClosed()).isTrue();
		assertThat(db.managed().status()).isEqualTo(TransactionStatus.UNKNOWN);
		assertThat(db.managed()).hasToString("ManagedConnection[" + db.url() + " (closed)]");
	}

	@Test
	void selectOneThenCommitLeavesConnectionOpenAndIdle() throws SQLException {
		long one = db.managed().execute((connection) -> {
			long result = queryLong(connection, "SELECT 1");
			assertThat(db.managed().status()).isEqualTo(TransactionStatus.IN_TRANSACTION);
			assertThat(db.managed().toString()).endsWith("(in use)]");
			connection.commit();
			return result;
		});
		assertThat(one).isOne();
		assertThat(db.managed().isClosed()).isFalse();
		assertThat(db.managed().status()).isEqualTo(TransactionStatus.IDLE);
		assertThat(db.managed().toString()).endsWith("(idle)]");
	}

	@Test
	void leavingTransactionOpenThrowsRollsBackAndWritesNothing() throws SQLException {
		assertThatExceptionOfType(OpenTransactionException.class)
			.isThrownBy(
					() -> db.managed().execute((connection) -> update(connection, "INSERT INTO item VALUES (1, 'a')")))
			.withMessageStartingWith("Did not commit or rollback open transaction before releasing connection.")
			.withMessageContaining("IN_TRANSACTION")
			.satisfies((ex) -> assertThat(ex.getStatus()).isEqualTo(TransactionStatus.IN_TRANSACTION));
		assertThat(db.managed().status()).isEqualTo(TransactionStatus.IDLE);
		assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
	}

	@Test
	void leavingFailedTransactionOpenNamesInErrorStatus() {
		ManagedConnection managed = db.managed();
		assertThatExceptionOfType(OpenTransactionException.class).isThrownBy(() -> managed.execute((connection) -> {
			try {
				update(connection, "INSERT INTO no_such_table VALUES (1)");
			}
			catch (SQLException ex) {
				// swallowed on purpose: the transaction is now failed
			}
			return null;
		})).withMessageContaining("IN_ERROR");
		assertThat(managed.status()).isEqualTo(TransactionStatus.IDLE);
	}

	@Test
	void applicationExceptionRollsBackKeepsConnectionAndPropagatesUnchanged() throws SQLException {
		int pid = commitAndGet(TestSql::backendPid);
		UnsupportedOperationException thrown = new UnsupportedOperationException("boom");
		ManagedConnection managed = db.managed();
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> managed.execute((connection) -> {
			update(connection, "INSERT INTO item VALUES (1, 'a')");
			assertThat(managed.status()).isEqualTo(TransactionStatus.IN_TRANSACTION);
			throw thrown;
		})).isSameAs(thrown).satisfies((ex) -> assertThat(ex.getSuppressed()).isEmpty());
		assertThat(managed.status()).isEqualTo(TransactionStatus.IDLE);
		assertThat(managed.isClosed()).isFalse();
		assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
		assertThat(commitAndGet(TestSql::backendPid)).isEqualTo(pid);
	}

	@Test
	void databaseErrorThenCleanNextAcquisitionOnSameBackend() throws SQLException {
		int pid = commitAndGet(TestSql::backendPid);
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> db.managed().execute((connection) -> update(connection, "SELECT * FROM no_such_table")))
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("42P01"));
		assertThat(db.managed().status()).isEqualTo(TransactionStatus.IDLE);
		assertThat(commitAndGet(TestSql::backendPid)).isEqualTo(pid);
	}

	@Test
	void uniqueViolationKeepsConnection() throws SQLException {
		int pid = commitAndGet((connection) -> {
			update(connection, "INSERT INTO item VALUES (1, 'a')");
			return backendPid(connection);
		});
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(
					() -> db.managed().execute((connection) -> update(connection, "INSERT INTO item VALUES (1, 'b')")))
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("23505"));
		assertThat(commitAndGet(TestSql::backendPid)).isEqualTo(pid);
		assertThat(db.queryLong("SELECT count(*) FROM item")).isOne();
	}

	@Test
	void commitOptionCommitsOnReturnAndRollsBackOnException() throws SQLException {
		ScopeOptions commit = ScopeOptions.DEFAULT.withCommit(true);
		ManagedConnection managed = db.managed();
		managed.execute(commit, (connection) -> update(connection, "INSERT INTO item VALUES (1, 'a')"));
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> managed.execute(commit, (connection) -> {
			update(connection, "INSERT INTO item VALUES (2, 'b')");
			throw new IllegalStateException("no");
		}));
		assertThat(db.queryLong("SELECT count(*) FROM item")).isOne();
	}

	@Test
	void closeOptionClosesPhysicalConnectionAfterScopeAndNextScopeReopens() throws SQLException {
		int first = db.managed().execute(ScopeOptions.DEFAULT.withClose(true).withCommit(true), TestSql::backendPid);
		assertThat(db.managed().isClosed()).isTrue();
		int second = commitAndGet(TestSql::backendPid);
		assertThat(second).isNotEqualTo(first);
	}

	@Test
	void nestedScopeJoinsOuterAndOnlyOutermostReleases() throws SQLException {
		db.managed().execute((outer) -> {
			update(outer, "INSERT INTO item VALUES (1, 'a')");
			db.managed().execute((inner) -> {
				assertThat(inner).isSameAs(outer);
				return update(inner, "INSERT INTO item VALUES (2, 'b')");
			});
			assertThat(db.managed().isHeldByCurrentThread()).isTrue();
			assertThat(db.managed().status()).isEqualTo(TransactionStatus.IN_TRANSACTION);
			outer.commit();
			return null;
		});
		assertThat(db.managed().isHeldByCurrentThread()).isFalse();
		assertThat(db.queryLong("SELECT count(*) FROM item")).isEqualTo(2);
	}

	@Test
	void currentConnectionOutsideScopeExplainsWhatToDo() throws SQLException {
		assertThatIllegalStateException().isThrownBy(db.managed()::currentConnection)
			.withMessageContaining("does not hold")
			.withMessageContaining("execute");
		db.managed().execute((connection) -> {
			assertThat(db.managed().currentConnection()).isSameAs(connection);
			return null;
		});
	}

	@Test
	void handleFailsAfterItsScopeAndClosingItInsideDoesNotCloseSharedConnection() throws SQLException {
		Connection[] leaked = new Connection[1];
		Statement[] leakedStatement = new Statement[1];
		db.managed().execute((connection) -> {
			connection.close();
			assertThat(connection.isClosed()).isFalse();
			leaked[0] = connection;
			leakedStatement[0] = connection.createStatement();
			assertThat(leakedStatement[0].getConnection()).isSameAs(connection);
			return null;
		});
		assertThat(leaked[0].isClosed()).isTrue();
		assertThatExceptionOfType(SQLException.class).isThrownBy(leaked[0]::createStatement)
			.withMessageContaining("Connection handle released");
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> leakedStatement[0].executeQuery("SELECT 1"));
		assertThat(db.managed().isClosed()).isFalse();
	}

	@Test
	void statementsLeftOpenAreClosedOnRelease() throws SQLException {
		PreparedStatement[] open = new PreparedStatement[1];
		ResultSet[] results = new ResultSet[1];
		commitAndGet((connection) -> {
			open[0] = connection.prepareStatement("SELECT 1");
			results[0] = open[0].executeQuery();
			return null;
		});
		assertThat(open[0].isClosed()).isTrue();
		assertThat(results[0].isClosed()).isTrue();
	}

	@Test
	void settingsChangedByOneHolderAreNotSeenByTheNext() throws SQLException {
		db.execute("CREATE SCHEMA IF NOT EXISTS other");
		commitAndGet((connection) -> {
			connection.setAutoCommit(true);
			connection.setReadOnly(true);
			connection.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
			connection.setSchema("other");
			connection.setNetworkTimeout(Runnable::run, 12_345);
			return null;
		});
		db.managed().execute((connection) -> {
			assertThat(connection.getAutoCommit()).isFalse();
			assertThat(connection.isReadOnly()).isFalse();
			assertThat(connection.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
			assertThat(connection.getSchema()).isEqualTo("public");
			assertThat(connection.getNetworkTimeout()).isZero();
			update(connection, "INSERT INTO item VALUES (1, 'writable')");
			connection.commit();
			return null;
		});
		assertThat(db.queryLong("SELECT count(*) FROM item")).isOne();
	}

	@Test
	void autoCommitCanBeConfiguredOn() throws SQLException {
		try (ManagedConnection autoCommitting = db.builder().autoCommit(true).build()) {
			autoCommitting.execute((connection) -> update(connection, "INSERT INTO item VALUES (1, 'a')"));
		}
		assertThat(db.queryLong("SELECT count(*) FROM item")).isOne();
	}

	@Test
	void passwordNeverAppearsInToStringOrExceptionMessages() {
		String secret = "s3cr3t-Pa55";
		ManagedConnection withSecrets = ManagedConnection.builder()
			.url(db.url() + "?password=" + secret + "&sslpassword=" + secret)
			.username("no_such_user")
			.password(secret)
			.acquireTimeout(Duration.ofSeconds(5))
			.build();
		assertThat(withSecrets.toString()).doesNotContain(secret).contains("password=******");
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> withSecrets.execute((connection) -> null))
			.satisfies((ex) -> {
				for (Throwable t = ex; t != null; t = t.getCause()) {
					assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
				}
			});
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ManagedConnection.builder().url("jdbc:mysql://h/db?password=" + secret).build())
			.withMessageNotContaining(secret)
			.withMessageContaining("jdbc:postgresql:");
	}

	@Test
	void builderRejectsBadSettingsWithTheSettingName() {
		assertThatIllegalArgumentException().isThrownBy(() -> ManagedConnection.builder().build())
			.withMessageContaining("'url'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> db.builder().acquireTimeout(Duration.ZERO).build())
			.withMessageContaining("'acquireTimeout'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> db.builder().validationIdleThreshold(Duration.ofMillis(-1)).build())
			.withMessageContaining("'validationIdleThreshold'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> db.builder().serverNoticesLogLevel(null).build())
			.withMessageContaining("'serverNoticesLogLevel' must be set");
	}

	@Test
	void stateReportsHolderAndBackendWithoutWaiting() throws SQLException {
		assertThat(db.managed().state().open()).isFalse();
		db.managed().execute((connection) -> {
			ConnectionState state = db.managed().state();
			assertThat(state.open()).isTrue();
			assertThat(state.backendPid()).isEqualTo(backendPid(connection));
			assertThat(state.holderThread()).isEqualTo(Thread.currentThread().getName());
			assertThat(state.serverVersion()).isNotBlank();
			connection.commit();
			return null;
		});
		assertThat(db.managed().state().holderThread()).isNull();
	}

	@Test
	void stateAnswersAndCancelStopsARunningStatementAndDoesNothingWhenIdle() throws Exception {
		db.managed().cancel();
		int pid = commitAndGet(TestSql::backendPid);
		Thread canceller = new Thread(() -> {
			try {
				db.awaitActiveQuery(pid, "pg_sleep(30)");
				// Read while the holder's statement runs: before 42.7.14 pgjdbc locks its status.
				assertThat(db.managed().state().holderThread()).isNotNull();
				assertThat(db.managed().status()).isNotEqualTo(TransactionStatus.UNKNOWN);
				db.managed().cancel();
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		canceller.start();
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> db.managed()
				.execute((connection) -> queryLong(connection, "SELECT count(*) FROM pg_sleep(30)")))
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("57014"));
		canceller.join(10_000);
		long one = commitAndGet((connection) -> queryLong(connection, "SELECT 1"));
		assertThat(one).isOne();
	}

	private <T> T commitAndGet(ConnectionCallback<T> action) throws SQLException {
		return db.managed().execute(ScopeOptions.DEFAULT.withCommit(true), action);
	}

}
