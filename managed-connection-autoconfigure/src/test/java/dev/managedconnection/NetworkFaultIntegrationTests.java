package dev.managedconnection;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.managedconnection.testsupport.LoopbackProxy;
import dev.managedconnection.testsupport.LoopbackProxy.Mode;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import dev.managedconnection.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.managedconnection.TestSql.queryLong;
import static dev.managedconnection.TestSql.update;
import static dev.managedconnection.testsupport.ManagedConnectionWaits.awaitHeld;
import static dev.managedconnection.testsupport.ManagedConnectionWaits.awaitWaitingThreads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Fault tests through a {@link LoopbackProxy}: a stalled network, a server that accepts TCP but
 * never answers, reset connections, and a COMMIT whose reply is lost.
 */
@Timeout(60)
class NetworkFaultIntegrationTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	/**
	 * Slack for the scheduler of a shared two-core machine on top of a configured timeout.
	 */
	private static final long MARGIN_MILLIS = 1_500;

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE item (id int PRIMARY KEY)")
		.beforeEachTest("TRUNCATE item");

	private final LoopbackProxy proxy = LoopbackProxy.start(TestPostgres.get().host(), TestPostgres.get().port());

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void closeAll() {
		this.executor.shutdownNow();
		this.proxy.close();
	}

	@Test
	void aHolderStalledBySilentNetworkIsReleasedWithinTheSocketTimeoutAndAWaiterGetsAFreshConnection()
			throws Exception {
		Duration socketTimeout = Duration.ofSeconds(2);
		ManagedConnection managed = throughProxy(
				(builder) -> builder.socketTimeout(socketTimeout).connectTimeout(Duration.ofSeconds(2)));
		int before = managed.execute(COMMIT, TestSql::backendPid);
		Future<Integer> waiter = this.executor.submit(() -> {
			awaitHeld(managed);
			return managed.execute(COMMIT, TestSql::backendPid);
		});
		long start = System.nanoTime();
		Throwable failure = catchThrowable(() -> managed.execute(COMMIT, (connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			this.proxy.mode(Mode.BLACKHOLE);
			awaitWaitingThreads(managed, 1);
			return update(connection, "INSERT INTO item VALUES (2)");
		}));
		long elapsed = Faults.millisSince(start);
		assertThat(failure).isInstanceOf(SQLException.class);
		assertThat(Faults.isBrokenConnection(failure)).isTrue();
		assertThat(elapsed).isLessThan(socketTimeout.toMillis() + MARGIN_MILLIS);
		this.proxy.mode(Mode.PASS);
		assertThat(waiter.get(30, TimeUnit.SECONDS)).isNotEqualTo(before);
		assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
	}

	@Test
	void reconnectingToAServerThatAcceptsButNeverAnswersIsBoundedByTheAcquireTimeout() {
		Duration acquireTimeout = Duration.ofSeconds(2);
		ManagedConnection managed = throughProxy(
				(builder) -> builder.acquireTimeout(acquireTimeout).connectTimeout(Duration.ofSeconds(30)));
		this.proxy.mode(Mode.BLACKHOLE);
		long start = System.nanoTime();
		assertThatExceptionOfType(SQLTransientConnectionException.class)
			.isThrownBy(() -> managed.execute(COMMIT, TestSql::backendPid))
			.satisfies((ex) -> assertThat(ex.getCause()).isInstanceOf(SQLException.class));
		assertThat(Faults.millisSince(start)).isLessThan(acquireTimeout.toMillis() + MARGIN_MILLIS);
		assertThat(managed.state().holderThread()).isNull();
	}

	@Test
	void aSilentServerDoesNotHoldTheCallerPastAnAcquireDeadlineThatIsNotInWholeSeconds() {
		// pgjdbc's connect timeout counts whole seconds; rounding 1.1 s up would hold the caller 2 s.
		ManagedConnection managed = throughProxy((builder) -> builder.acquireTimeout(Duration.ofMillis(1_100)));
		this.proxy.mode(Mode.BLACKHOLE);
		long start = System.nanoTime();
		assertThatExceptionOfType(SQLTransientConnectionException.class)
			.isThrownBy(() -> managed.execute(COMMIT, TestSql::backendPid));
		assertThat(Faults.millisSince(start)).isLessThan(1_900);
	}

	@Test
	void eachConnectAttemptToASilentServerIsBoundedByTheConnectTimeout() {
		ManagedConnection managed = throughProxy(
				(builder) -> builder.acquireTimeout(Duration.ofSeconds(4)).connectTimeout(Duration.ofSeconds(1)));
		this.proxy.mode(Mode.BLACKHOLE);
		assertThatExceptionOfType(SQLTransientConnectionException.class)
			.isThrownBy(() -> managed.execute(COMMIT, TestSql::backendPid));
		// A first attempt without a bound would have used the whole acquire timeout.
		assertThat(this.proxy.acceptedConnections()).isGreaterThanOrEqualTo(2);
	}

	@Test
	void validatingASilentConnectionNeverHangsAndServiceResumesWhenTheNetworkHeals() throws Exception {
		Duration acquireTimeout = Duration.ofSeconds(3);
		ManagedConnection managed = throughProxy((builder) -> builder.acquireTimeout(acquireTimeout)
			.validationIdleThreshold(Duration.ZERO)
			.validationTimeout(Duration.ofSeconds(1)));
		int before = managed.execute(COMMIT, TestSql::backendPid);
		this.proxy.mode(Mode.BLACKHOLE);
		long start = System.nanoTime();
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> managed.execute(COMMIT, TestSql::backendPid));
		assertThat(Faults.millisSince(start)).isLessThan(acquireTimeout.toMillis() + MARGIN_MILLIS);
		this.proxy.mode(Mode.PASS);
		assertThat(managed.execute(COMMIT, TestSql::backendPid)).isNotEqualTo(before);
	}

	@Test
	void resetConnectionsBreakTheHolderWhoseWorkIsRolledBackAndTheNextCallerReconnects() throws Exception {
		ManagedConnection managed = throughProxy();
		int before = managed.execute(COMMIT, TestSql::backendPid);
		Throwable failure = catchThrowable(() -> managed.execute(COMMIT, (connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			this.proxy.resetConnections();
			return update(connection, "INSERT INTO item VALUES (2)");
		}));
		assertThat(Faults.isBrokenConnection(failure)).as("broken: %s", failure).isTrue();
		assertThat(managed.execute(COMMIT, TestSql::backendPid)).isNotEqualTo(before);
		db.awaitBackendGone(before);
		assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
	}

	@Test
	void aCommitWhoseReplyIsLostReportsAnUnknownOutcomeNeverARollback() throws Exception {
		ManagedConnection managed = throughProxy((builder) -> builder.socketTimeout(Duration.ofSeconds(1)));
		Throwable failure = catchThrowable(() -> managed.execute(COMMIT, (connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			this.proxy.mode(Mode.HOLD_RESPONSES);
			return null;
		}));
		assertThat(failure).isInstanceOf(CommitOutcomeUnknownException.class);
		assertThat(failure.getMessage()).doesNotContainIgnoringCase("rolled back");
		// The COMMIT reached the server: the work is there although the caller got an error.
		assertThat(db.queryLong("SELECT count(*) FROM item")).isEqualTo(1);
		this.proxy.mode(Mode.PASS);
		long count = managed.execute(COMMIT, (connection) -> queryLong(connection, "SELECT count(*) FROM item"));
		assertThat(count).isEqualTo(1);
	}

	@Test
	void anExplicitCommitWhoseReplyIsLostReportsAnUnknownOutcomeToTheCaller() throws Exception {
		ManagedConnection managed = throughProxy((builder) -> builder.socketTimeout(Duration.ofSeconds(1)));
		Throwable failure = catchThrowable(() -> managed.execute((connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			this.proxy.mode(Mode.HOLD_RESPONSES);
			connection.commit();
			return null;
		}));
		assertThat(failure).isInstanceOf(CommitOutcomeUnknownException.class);
		assertThat(db.queryLong("SELECT count(*) FROM item")).isEqualTo(1);
	}

	@Test
	void aCommitThatNeverReachedTheServerAlsoReportsAnUnknownOutcomeAndNothingIsCommitted() throws Exception {
		ManagedConnection managed = throughProxy((builder) -> builder.socketTimeout(Duration.ofSeconds(1)));
		Throwable failure = catchThrowable(() -> managed.execute(COMMIT, (connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			this.proxy.mode(Mode.BLACKHOLE);
			return null;
		}));
		assertThat(failure).isInstanceOf(CommitOutcomeUnknownException.class);
		this.proxy.mode(Mode.RESET);
		awaitNoBackendsOtherThanAdmin();
		assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
	}

	private ManagedConnection throughProxy() {
		return throughProxy((builder) -> {
		});
	}

	/**
	 * Build this test's managed connection to the database through the proxy.
	 */
	private ManagedConnection throughProxy(Consumer<ManagedConnectionBuilder> settings) {
		return db.managed((builder) -> settings.accept(builder.url(this.proxy.url(db.name()))));
	}

	private static void awaitNoBackendsOtherThanAdmin() throws Exception {
		String others = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
				+ "AND pid <> pg_backend_pid()";
		try (var admin = db.connect()) {
			await().alias("no backends running other than the admin's")
				.atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(10))
				.until(() -> queryLong(admin, others), (backends) -> backends == 0);
		}
	}

}
