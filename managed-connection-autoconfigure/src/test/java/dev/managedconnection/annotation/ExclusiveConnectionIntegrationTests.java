package dev.managedconnection.annotation;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.OpenTransactionException;
import dev.managedconnection.autoconfigure.ManagedConnectionAutoConfiguration;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.aop.Advisor;
import org.springframework.aop.framework.Advised;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.interceptor.TransactionInterceptor;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Integration tests for {@link ExclusiveConnection @ExclusiveConnection} in a Spring Boot
 * application against a real PostgreSQL: only {@code spring.datasource.*} is configured,
 * the schema comes from Boot's SQL initialization, and the services use
 * {@link JdbcClient}.
 */
@SpringBootTest(classes = ExclusiveConnectionIntegrationTests.TestApplication.class,
		properties = { "spring.sql.init.mode=always",
				"spring.sql.init.schema-locations=classpath:exclusive-connection-integration-schema.sql" })
@DirtiesContext
class ExclusiveConnectionIntegrationTests {

	private static final int THREADS = 32;

	private static final int CALLS_PER_THREAD = 5;

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create();

	@Autowired
	private LedgerService ledger;

	@Autowired
	private ManagedConnection managedConnection;

	@Autowired
	private JdbcClient jdbcClient;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		db.addDataSourceProperties(registry);
	}

	@BeforeEach
	void clean() {
		this.jdbcClient.sql("TRUNCATE call_log, ledger").update();
	}

	@Test
	void concurrentCallsNeverInterleaveAndShareOneBackend() throws Exception {
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService executor = Executors.newFixedThreadPool(THREADS);
		try {
			List<Future<?>> workers = new ArrayList<>();
			for (int i = 0; i < THREADS; i++) {
				workers.add(executor.submit(() -> {
					start.await();
					for (int call = 0; call < CALLS_PER_THREAD; call++) {
						this.ledger.logThreeSteps();
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> worker : workers) {
				worker.get(120, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(this.ledger.maxConcurrentHolders()).isOne();
		List<int[]> rows = new ArrayList<>();
		try (Connection connection = db.connect(); Statement statement = connection.createStatement();
				ResultSet result = statement
					.executeQuery("SELECT call_id, step, backend_pid FROM call_log ORDER BY id")) {
			while (result.next()) {
				rows.add(new int[] { result.getInt(1), result.getInt(2), result.getInt(3) });
			}
		}
		assertThat(rows).hasSize(THREADS * CALLS_PER_THREAD * 3);
		for (int i = 0; i < rows.size(); i += 3) {
			int callId = rows.get(i)[0];
			for (int step = 0; step < 3; step++) {
				assertThat(rows.get(i + step)).as("row %d", i + step).startsWith(callId, step + 1);
			}
		}
		assertThat(rows.stream().mapToInt((row) -> row[2]).distinct()).singleElement()
			.isEqualTo(this.managedConnection.state().backendPid());
	}

	@Test
	void exclusiveConnectionRunsOutsideTransactional() {
		Advisor[] advisors = ((Advised) this.ledger).getAdvisors();
		assertThat(advisors[0].getAdvice()).isInstanceOf(ExclusiveConnectionInterceptor.class);
		assertThat(advisors).extracting(Advisor::getAdvice).hasAtLeastOneElementOfType(TransactionInterceptor.class);
	}

	@Test
	void transactionBeginsAndCommitsOnTheHeldConnection() throws SQLException {
		// Without commit = true, a transaction still open when @ExclusiveConnection releases
		// would fail the call: it succeeds because the transaction ended inside the scope.
		TransactionalView view = this.ledger.depositTransactionally(10);
		assertThat(view.transactionActive()).isTrue();
		assertThat(view.connectionHeld()).isTrue();
		assertThat(view.jdbcClientBackendPid()).isEqualTo(view.heldBackendPid());
		assertThat(committedAmount()).isEqualTo(10);
	}

	@Test
	void exclusiveConnectionOptionsApplyToATransactionalMethod() throws SQLException {
		// Were the transaction to begin first, it would hold the connection and this
		// annotation's scope would only join it, ignoring close = true.
		this.ledger.depositTransactionallyThenClose(6);
		assertThat(this.managedConnection.isClosed()).isTrue();
		assertThat(committedAmount()).isEqualTo(6);
	}

	@Test
	void readOnlyTransactionEndsTheQuerysTransactionWithoutCommitTrue() {
		this.ledger.deposit(3);
		assertThat(this.ledger.totalReadOnly()).isEqualTo(3);
		assertThat(this.managedConnection.isHeldByCurrentThread()).isFalse();
	}

	@Test
	void transactionIsRolledBackWhenTheMethodThrowsAndTheExceptionPropagatesUnchanged() throws SQLException {
		assertThatExceptionOfType(LedgerException.class)
			.isThrownBy(() -> this.ledger.depositTransactionallyThenFail(10))
			.withMessage("refused");
		assertThat(committedAmount()).isZero();
		assertThat(this.managedConnection.isHeldByCurrentThread()).isFalse();
	}

	@Test
	void transactionalWithoutExclusiveConnectionBorrowsTheConnectionForTheTransaction() throws SQLException {
		this.ledger.depositInTransactionOnly(4);
		assertThat(committedAmount()).isEqualTo(4);
		assertThat(this.managedConnection.isHeldByCurrentThread()).isFalse();
	}

	@Test
	void jdbcClientWorkIsCommittedOnReturnWithCommitTrue() throws SQLException {
		this.ledger.deposit(25);
		assertThat(committedAmount()).isEqualTo(25);
	}

	@Test
	void transactionLeftOpenIsAnErrorAndIsRolledBack() throws SQLException {
		assertThatExceptionOfType(OpenTransactionException.class).isThrownBy(() -> this.ledger.depositWithoutCommit(8));
		assertThat(committedAmount()).isZero();
		this.ledger.deposit(1);
		assertThat(committedAmount()).isEqualTo(1);
	}

	@Test
	void nestedCallJoinsTheOuterCall() {
		int[] pids = this.ledger.outerCallingAudit();
		assertThat(pids[1]).isEqualTo(pids[0]);
		assertThat(this.managedConnection.isHeldByCurrentThread()).isFalse();
	}

	@Test
	void transactionCharacteristicsApplyToTheCallsTransactions() {
		assertThat(this.ledger.characteristicsReadOnlySerializableDeferrable()).isEqualTo("serializable on on");
		assertThat(this.ledger.characteristics()).as("the next call").isEqualTo("read committed off off");
	}

	@Test
	void aWriteInAReadOnlyCallFailsWithPostgresqlsErrorTranslated() throws SQLException {
		assertThatExceptionOfType(DataAccessException.class).isThrownBy(() -> this.ledger.depositReadOnly(5))
			.havingRootCause()
			.isInstanceOfSatisfying(SQLException.class, (ex) -> assertThat(ex.getSQLState()).isEqualTo("25006"));
		assertThat(committedAmount()).isZero();
	}

	@Test
	void aNestedCallsTransactionCharacteristicsAreIgnored() {
		assertThat(this.ledger.outerCallingReadOnlyAudit()).isEqualTo("read committed off off");
	}

	@Test
	void asynchronousReturnTypeFailsTheStartupNamingTheMethod() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ManagedConnectionAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + db.url())
			.withBean(AsyncLedgerService.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("@ExclusiveConnection cannot be applied to '" + AsyncLedgerService.class.getName()
						+ ".balanceLater'")
				.hasMessageContaining(CompletableFuture.class.getName()));
	}

	private static long committedAmount() throws SQLException {
		return db.queryLong("SELECT coalesce(sum(amount), 0) FROM ledger");
	}

	/**
	 * What a transactional method saw from the inside.
	 *
	 * @param transactionActive whether a Spring transaction was active
	 * @param connectionHeld whether the thread held the managed connection
	 * @param jdbcClientBackendPid the backend PID that {@code JdbcClient} reached
	 * @param heldBackendPid the backend PID of the held connection
	 */
	record TransactionalView(boolean transactionActive, boolean connectionHeld, int jdbcClientBackendPid,
			int heldBackendPid) {

	}

	@SuppressWarnings("serial")
	static class LedgerException extends RuntimeException {

		LedgerException(String message) {
			super(message);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ LedgerService.class, AuditService.class })
	static class TestApplication {

	}

	@Service
	static class LedgerService {

		private final AtomicInteger maxConcurrentHolders = new AtomicInteger();

		private final AtomicInteger holders = new AtomicInteger();

		private final AtomicInteger callIds = new AtomicInteger();

		private final JdbcClient jdbcClient;

		private final ManagedConnection managedConnection;

		private final AuditService audit;

		LedgerService(JdbcClient jdbcClient, ManagedConnection managedConnection, AuditService audit) {
			this.jdbcClient = jdbcClient;
			this.managedConnection = managedConnection;
			this.audit = audit;
		}

		public int maxConcurrentHolders() {
			return this.maxConcurrentHolders.get();
		}

		@ExclusiveConnection(commit = true)
		public void logThreeSteps() {
			this.maxConcurrentHolders.accumulateAndGet(this.holders.incrementAndGet(), Math::max);
			try {
				int callId = this.callIds.incrementAndGet();
				for (int step = 1; step <= 3; step++) {
					this.jdbcClient
						.sql("INSERT INTO call_log (call_id, step, backend_pid) VALUES (?, ?, pg_backend_pid())")
						.params(callId, step)
						.update();
					Thread.yield();
				}
			}
			finally {
				this.holders.decrementAndGet();
			}
		}

		@ExclusiveConnection
		@Transactional
		public TransactionalView depositTransactionally(int amount) {
			insert(amount);
			return new TransactionalView(TransactionSynchronizationManager.isActualTransactionActive(),
					this.managedConnection.isHeldByCurrentThread(), jdbcClientBackendPid(), heldBackendPid());
		}

		@ExclusiveConnection(close = true)
		@Transactional
		public void depositTransactionallyThenClose(int amount) {
			insert(amount);
		}

		@ExclusiveConnection
		@Transactional
		public void depositTransactionallyThenFail(int amount) {
			insert(amount);
			throw new LedgerException("refused");
		}

		@ExclusiveConnection
		@Transactional(readOnly = true)
		public int totalReadOnly() {
			return this.jdbcClient.sql("SELECT coalesce(sum(amount), 0) FROM ledger").query(Integer.class).single();
		}

		@Transactional
		public void depositInTransactionOnly(int amount) {
			insert(amount);
		}

		@ExclusiveConnection(commit = true)
		public void deposit(int amount) {
			insert(amount);
		}

		@ExclusiveConnection
		public void depositWithoutCommit(int amount) {
			insert(amount);
		}

		@ExclusiveConnection(commit = true)
		public int[] outerCallingAudit() {
			int outer = heldBackendPid();
			int inner = this.audit.backendPid();
			if (!this.managedConnection.isHeldByCurrentThread()) {
				throw new IllegalStateException("The nested call released the outer call's connection");
			}
			return new int[] { outer, inner };
		}

		@ExclusiveConnection(commit = true, readOnly = true, isolation = Isolation.SERIALIZABLE, deferrable = true)
		public String characteristicsReadOnlySerializableDeferrable() {
			return showCharacteristics(this.jdbcClient);
		}

		@ExclusiveConnection(commit = true)
		public String characteristics() {
			return showCharacteristics(this.jdbcClient);
		}

		@ExclusiveConnection(commit = true, readOnly = true)
		public void depositReadOnly(int amount) {
			insert(amount);
		}

		@ExclusiveConnection(commit = true)
		public String outerCallingReadOnlyAudit() {
			return this.audit.characteristicsReadOnlySerializable();
		}

		private void insert(int amount) {
			this.jdbcClient.sql("INSERT INTO ledger (amount) VALUES (?)").param(amount).update();
		}

		private int jdbcClientBackendPid() {
			return this.jdbcClient.sql("SELECT pg_backend_pid()").query(Integer.class).single();
		}

		private int heldBackendPid() {
			try (Statement statement = this.managedConnection.currentConnection().createStatement();
					ResultSet result = statement.executeQuery("SELECT pg_backend_pid()")) {
				result.next();
				return result.getInt(1);
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

	@Service
	static class AuditService {

		private final JdbcClient jdbcClient;

		AuditService(JdbcClient jdbcClient) {
			this.jdbcClient = jdbcClient;
		}

		@ExclusiveConnection(commit = true)
		public int backendPid() {
			return this.jdbcClient.sql("SELECT pg_backend_pid()").query(Integer.class).single();
		}

		@ExclusiveConnection(readOnly = true, isolation = Isolation.SERIALIZABLE)
		public String characteristicsReadOnlySerializable() {
			return showCharacteristics(this.jdbcClient);
		}

	}

	static String showCharacteristics(JdbcClient jdbcClient) {
		return jdbcClient.sql("SELECT current_setting('transaction_isolation') || ' ' "
				+ "|| current_setting('transaction_read_only') || ' ' || current_setting('transaction_deferrable')")
			.query(String.class)
			.single();
	}

	static class AsyncLedgerService {

		@ExclusiveConnection
		public CompletableFuture<Integer> balanceLater() {
			return CompletableFuture.completedFuture(0);
		}

	}

}
