package dev.managedconnection.annotation;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.managedconnection.AcquireTimeoutException;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.OpenTransactionException;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ExclusiveConnectionInterceptor} on a bare {@link ProxyFactory}, against
 * a real PostgreSQL.
 */
class ExclusiveConnectionInterceptorTests {

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE entry (amount int NOT NULL)",
				"CREATE TABLE deferred (id int UNIQUE DEFERRABLE INITIALLY DEFERRED)")
		.beforeEachTest("TRUNCATE entry, deferred");

	private Ledger ledger;

	@BeforeEach
	void createLedger() {
		this.ledger = proxy(new Ledger(db.managed()), db.managed());
	}

	@Test
	void annotatedMethodRunsWithTheConnectionHeldByTheCallingThread() {
		assertThat(this.ledger.heldInside()).isTrue();
		assertThat(db.managed().isHeldByCurrentThread()).isFalse();
	}

	@Test
	void methodWithoutTheAnnotationRunsWithoutTheConnection() {
		assertThat(this.ledger.notAnnotated()).isFalse();
	}

	@Test
	void commitTrueCommitsTheOpenTransactionOnReturn() throws SQLException {
		this.ledger.insertAndCommit(7);
		assertThat(amounts()).isEqualTo(7);
	}

	@Test
	void transactionLeftOpenWithoutCommitIsRolledBackAndReported() throws SQLException {
		assertThatExceptionOfType(OpenTransactionException.class).isThrownBy(() -> this.ledger.insertAndLeaveOpen(5));
		assertThat(amounts()).isZero();
		assertThat(db.managed().isHeldByCurrentThread()).isFalse();
	}

	@Test
	void methodExceptionPropagatesUnchangedAndRollsBack() throws SQLException {
		LedgerException failure = new LedgerException();
		assertThatExceptionOfType(LedgerException.class).isThrownBy(() -> this.ledger.insertThenFail(3, failure))
			.isSameAs(failure);
		assertThat(amounts()).isZero();
		assertThat(db.managed().isHeldByCurrentThread()).isFalse();
	}

	@Test
	void checkedMethodExceptionPropagatesUnchanged() {
		SQLException failure = new SQLException("from the method", "22012");
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> this.ledger.failChecked(failure))
			.isSameAs(failure);
	}

	@Test
	void failedCommitIsTranslatedToADataAccessException() throws SQLException {
		assertThatExceptionOfType(DuplicateKeyException.class).isThrownBy(this.ledger::insertDeferredDuplicate)
			.havingCause()
			.isInstanceOfSatisfying(SQLException.class, (ex) -> assertThat(ex.getSQLState()).isEqualTo("23505"));
		assertThat(db.managed().isHeldByCurrentThread()).isFalse();
		assertThat(this.ledger.backendPid()).isPositive();
	}

	@Test
	void failureToAcquireBecomesCannotGetJdbcConnectionExceptionAndTheMethodDoesNotRun() {
		ManagedConnection unreachable = db.builder().url(db.url() + "_missing").build();
		try (unreachable) {
			Ledger ledger = proxy(new Ledger(unreachable), unreachable);
			assertThatExceptionOfType(CannotGetJdbcConnectionException.class).isThrownBy(ledger::backendPid)
				.withMessageContaining("Ledger.backendPid")
				.havingCause()
				.isInstanceOf(SQLException.class);
			assertThat(ledger.calls()).isZero();
		}
	}

	@Test
	void acquireTimeoutFromTheAnnotationBoundsTheWait() throws Exception {
		CountDownLatch holding = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			Future<?> holder = executor.submit(() -> this.ledger.holdUntil(holding, release));
			assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
			assertThatExceptionOfType(CannotGetJdbcConnectionException.class).isThrownBy(this.ledger::quick)
				.havingCause()
				.isInstanceOf(AcquireTimeoutException.class);
			assertThat(this.ledger.calls()).isZero();
			release.countDown();
			holder.get(30, TimeUnit.SECONDS);
		}
		finally {
			release.countDown();
			executor.shutdownNow();
		}
	}

	@Test
	void nestedCallJoinsTheOuterCallOnTheSameConnection() throws SQLException {
		int[] pids = this.ledger.outerReturningPids();
		assertThat(pids[1]).isEqualTo(pids[0]);
		assertThat(db.managed().isHeldByCurrentThread()).isFalse();
	}

	@Test
	void onlyTheOutermostCallDecidesTheCommit() throws SQLException {
		assertThatExceptionOfType(OpenTransactionException.class).isThrownBy(() -> this.ledger.outerWithoutCommit(4));
		assertThat(amounts()).isZero();
	}

	@Test
	void closeTrueClosesThePhysicalConnectionAfterTheCall() throws SQLException {
		int first = this.ledger.backendPidThenClose();
		int second = this.ledger.backendPid();
		assertThat(second).isNotEqualTo(first);
		assertThat(this.ledger.backendPid()).isEqualTo(second);
	}

	private static Ledger proxy(Ledger target, ManagedConnection managedConnection) {
		ProxyFactory proxyFactory = new ProxyFactory(target);
		proxyFactory.setProxyTargetClass(true);
		proxyFactory.addAdvice(
				new ExclusiveConnectionInterceptor(() -> managedConnection, new ExclusiveConnectionAttributeSource()));
		Ledger proxy = (Ledger) proxyFactory.getProxy();
		target.self = proxy;
		return proxy;
	}

	private static long amounts() throws SQLException {
		return db.queryLong("SELECT coalesce(sum(amount), 0) FROM entry");
	}

	/**
	 * The advised target; its methods that reach the database commit, because with
	 * autocommit off even a query opens a transaction.
	 */
	static class Ledger {

		private final AtomicInteger calls = new AtomicInteger();

		private final ManagedConnection managedConnection;

		Ledger self;

		Ledger(ManagedConnection managedConnection) {
			this.managedConnection = managedConnection;
		}

		@ExclusiveConnection
		public boolean heldInside() {
			this.calls.incrementAndGet();
			return this.managedConnection.isHeldByCurrentThread();
		}

		public int calls() {
			return this.calls.get();
		}

		public boolean notAnnotated() {
			return this.managedConnection.isHeldByCurrentThread();
		}

		@ExclusiveConnection(commit = true)
		public int backendPid() throws SQLException {
			this.calls.incrementAndGet();
			return queryPid();
		}

		@ExclusiveConnection(commit = true, close = true)
		public int backendPidThenClose() throws SQLException {
			this.calls.incrementAndGet();
			return queryPid();
		}

		@ExclusiveConnection(commit = true)
		public void insertAndCommit(int amount) throws SQLException {
			insert(amount);
		}

		@ExclusiveConnection
		public void insertAndLeaveOpen(int amount) throws SQLException {
			insert(amount);
		}

		@ExclusiveConnection(commit = true)
		public void insertThenFail(int amount, LedgerException failure) throws SQLException {
			insert(amount);
			throw failure;
		}

		@ExclusiveConnection
		public void failChecked(SQLException failure) throws SQLException {
			throw failure;
		}

		@ExclusiveConnection(commit = true)
		public void insertDeferredDuplicate() throws SQLException {
			try (Statement statement = this.managedConnection.currentConnection().createStatement()) {
				statement.executeUpdate("INSERT INTO deferred VALUES (1), (1)");
			}
		}

		@ExclusiveConnection
		public void holdUntil(CountDownLatch holding, CountDownLatch release) {
			holding.countDown();
			try {
				release.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		@ExclusiveConnection(acquireTimeout = "50ms")
		public void quick() {
			this.calls.incrementAndGet();
		}

		@ExclusiveConnection(commit = true)
		public int[] outerReturningPids() throws SQLException {
			int outer = queryPid();
			int inner = this.self.backendPid();
			if (!this.managedConnection.isHeldByCurrentThread()) {
				throw new IllegalStateException("The nested call released the outer call's connection");
			}
			return new int[] { outer, inner };
		}

		@ExclusiveConnection
		public void outerWithoutCommit(int amount) throws SQLException {
			this.self.insertAndCommit(amount);
		}

		private int queryPid() throws SQLException {
			try (Statement statement = this.managedConnection.currentConnection().createStatement();
					ResultSet result = statement.executeQuery("SELECT pg_backend_pid()")) {
				result.next();
				return result.getInt(1);
			}
		}

		private void insert(int amount) throws SQLException {
			try (Statement statement = this.managedConnection.currentConnection().createStatement()) {
				statement.executeUpdate("INSERT INTO entry VALUES (" + amount + ")");
			}
		}

	}

	@SuppressWarnings("serial")
	static class LedgerException extends RuntimeException {

	}

}
