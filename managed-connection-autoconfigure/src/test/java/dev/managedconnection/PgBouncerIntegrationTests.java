package dev.managedconnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.managedconnection.testsupport.ManagedConnectionExtension;
import dev.managedconnection.testsupport.RequiresPgBouncer;
import dev.managedconnection.testsupport.TestPgBouncer;
import dev.managedconnection.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.managedconnection.TestSql.queryLong;
import static dev.managedconnection.TestSql.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Many application instances, each with one managed connection, behind PgBouncer in
 * transaction pooling mode: the core scenarios work with {@code prepareThreshold=0}, the
 * driver's default fails, and PgBouncer's {@code KILL} and {@code RECONNECT} are survived.
 */
@RequiresPgBouncer
@Timeout(120)
class PgBouncerIntegrationTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE counter (id int PRIMARY KEY, n bigint NOT NULL)",
				"CREATE TABLE item (id int PRIMARY KEY)")
		.beforeEachTest("TRUNCATE counter, item", "INSERT INTO counter VALUES (1, 0)");

	private TestPgBouncer pgBouncer;

	private final List<ManagedConnection> instances = new ArrayList<>();

	@AfterEach
	void closeAll() {
		this.instances.forEach(ManagedConnection::close);
		if (this.pgBouncer != null) {
			this.pgBouncer.close();
		}
	}

	@Test
	void instancesSharingTwoServerConnectionsLoseNoUpdateWithPrepareThresholdZero() throws Exception {
		this.pgBouncer = TestPgBouncer.start(TestPostgres.get().host(), TestPostgres.get().port(), 2);
		int instanceCount = 4;
		int threadsPerInstance = 4;
		int incrementsPerThread = 50;
		ExecutorService executor = Executors.newFixedThreadPool(instanceCount * threadsPerInstance);
		try {
			List<Future<?>> workers = new ArrayList<>();
			for (int i = 0; i < instanceCount; i++) {
				ManagedConnection instance = instance(true);
				for (int t = 0; t < threadsPerInstance; t++) {
					workers.add(executor.submit(() -> {
						for (int n = 0; n < incrementsPerThread; n++) {
							instance.execute(COMMIT, PgBouncerIntegrationTests::incrementWithReadModifyWrite);
						}
						return null;
					}));
				}
			}
			for (Future<?> worker : workers) {
				worker.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(db.queryLong("SELECT n FROM counter WHERE id = 1"))
			.isEqualTo((long) instanceCount * threadsPerInstance * incrementsPerThread);
	}

	@Test
	void theDriversDefaultServerPreparedStatementsCollideBehindTransactionPooling() throws Exception {
		this.pgBouncer = TestPgBouncer.start(TestPostgres.get().host(), TestPostgres.get().port(), 1);
		ManagedConnection first = instance(false);
		ManagedConnection second = instance(false);
		// With DISCARD ALL after each scope the first instance's statement may happen to be gone
		// before the second one prepares its own; under load it is not. Show the plain collision.
		first.execute(COMMIT, PgBouncerIntegrationTests::selectRepeatedly);
		Throwable failure = catchThrowable(() -> second.execute(COMMIT, PgBouncerIntegrationTests::selectRepeatedly));
		assertThat(failure).isInstanceOf(SQLException.class).hasMessageContaining("prepared statement \"S_1\" already exists");
	}

	@Test
	void prepareThresholdZeroAvoidsTheCollision() throws Exception {
		this.pgBouncer = TestPgBouncer.start(TestPostgres.get().host(), TestPostgres.get().port(), 1);
		ManagedConnection first = instance(true);
		ManagedConnection second = instance(true);
		first.execute(COMMIT, PgBouncerIntegrationTests::selectRepeatedly);
		second.execute(COMMIT, PgBouncerIntegrationTests::selectRepeatedly);
		first.execute(COMMIT, PgBouncerIntegrationTests::selectRepeatedly);
	}

	@Test
	void aKilledPgBouncerConnectionIsReplacedWithoutTheNextCallerSeeingAnError() throws Exception {
		this.pgBouncer = TestPgBouncer.start(TestPostgres.get().host(), TestPostgres.get().port(), 2);
		ManagedConnection managed = instance(true, Duration.ZERO);
		managed.execute(COMMIT, (connection) -> update(connection, "INSERT INTO item VALUES (1)"));
		this.pgBouncer.kill(db.name());
		long count = managed.execute(COMMIT, (connection) -> queryLong(connection, "SELECT count(*) FROM item"));
		assertThat(count).isEqualTo(1);
	}

	@Test
	void aKillDuringATransactionBreaksTheHolderRollsBackAndTheNextCallerReconnects() throws Exception {
		this.pgBouncer = TestPgBouncer.start(TestPostgres.get().host(), TestPostgres.get().port(), 2);
		ManagedConnection managed = instance(true);
		Throwable failure = catchThrowable(() -> managed.execute(COMMIT, (connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			this.pgBouncer.kill(db.name());
			return update(connection, "INSERT INTO item VALUES (2)");
		}));
		assertThat(Faults.isBrokenConnection(failure)).as("broken: %s", failure).isTrue();
		assertThat(managed.isClosed()).isTrue();
		managed.execute(COMMIT, (connection) -> update(connection, "INSERT INTO item VALUES (3)"));
		assertThat(db.queryLong("SELECT count(*) FROM item")).isEqualTo(1);
		assertThat(db.queryLong("SELECT count(*) FROM item WHERE id = 3")).isEqualTo(1);
	}

	@Test
	void aPgBouncerReconnectIsInvisibleToTheManagedConnection() throws Exception {
		this.pgBouncer = TestPgBouncer.start(TestPostgres.get().host(), TestPostgres.get().port(), 2);
		ManagedConnection managed = instance(true);
		int before = managed.execute(COMMIT, TestSql::backendPid);
		this.pgBouncer.reconnect(db.name());
		int after = managed.execute(COMMIT, TestSql::backendPid);
		assertThat(after).isNotEqualTo(before);
		assertThat(managed.isClosed()).isFalse();
	}

	@Test
	void transactionCharacteristicsApplyBehindTransactionPoolingAndReachNoOtherClient() throws Exception {
		// One server connection for both clients: a session default set by one would reach the other.
		this.pgBouncer = TestPgBouncer.start(TestPostgres.get().host(), TestPostgres.get().port(), 1);
		ManagedConnection first = resetOnlyJdbc(false);
		ManagedConnection second = resetOnlyJdbc(true);
		ScopeOptions all = COMMIT.withReadOnly(true)
			.withIsolation(Connection.TRANSACTION_SERIALIZABLE)
			.withDeferrable(true);
		assertThat(first.execute(all, PgBouncerIntegrationTests::characteristics)).isEqualTo("serializable on on");
		assertThat(second.execute(COMMIT, PgBouncerIntegrationTests::characteristics))
			.isEqualTo("read committed off off");
		assertThat(second.execute(all, PgBouncerIntegrationTests::characteristics)).as("with autocommit")
			.isEqualTo("serializable on on");
		assertThat(first.execute(COMMIT, PgBouncerIntegrationTests::characteristics))
			.isEqualTo("read committed off off");
		Throwable failure = catchThrowable(
				() -> second.execute(all, (connection) -> update(connection, "INSERT INTO item VALUES (1)")));
		assertThat(failure).isInstanceOfSatisfying(SQLException.class,
				(ex) -> assertThat(ex.getSQLState()).isEqualTo("25006"));
		first.execute(COMMIT, (connection) -> update(connection, "INSERT INTO item VALUES (2)"));
		second.execute(COMMIT, (connection) -> update(connection, "INSERT INTO item VALUES (3)"));
		assertThat(db.queryLong("SELECT count(*) FROM item")).isEqualTo(2);
	}

	private ManagedConnection resetOnlyJdbc(boolean autoCommit) {
		Properties properties = new Properties();
		properties.setProperty("prepareThreshold", "0");
		ManagedConnection instance = ManagedConnection.builder()
			.url(this.pgBouncer.url(db.name()))
			.username(db.username())
			.password(db.password())
			.properties(properties)
			.autoCommit(autoCommit)
			.sessionReset(SessionReset.JDBC)
			.acquireTimeout(Duration.ofSeconds(30))
			.socketTimeout(Duration.ofSeconds(30))
			.build();
		this.instances.add(instance);
		return instance;
	}

	private static String characteristics(Connection connection) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement("SELECT current_setting('transaction_isolation') "
				+ "|| ' ' || current_setting('transaction_read_only') || ' ' || current_setting('transaction_deferrable')");
				ResultSet result = statement.executeQuery()) {
			result.next();
			return result.getString(1);
		}
	}

	private ManagedConnection instance(boolean prepareThresholdZero) {
		return instance(prepareThresholdZero, Duration.ofMillis(500));
	}

	private ManagedConnection instance(boolean prepareThresholdZero, Duration validationIdleThreshold) {
		Properties properties = new Properties();
		SessionReset sessionReset = SessionReset.DISCARD_ALL;
		if (prepareThresholdZero) {
			properties.setProperty("prepareThreshold", "0");
		}
		else {
			sessionReset = SessionReset.JDBC;
		}
		ManagedConnection instance = db.builder()
			.url(this.pgBouncer.url(db.name()))
			.properties(properties)
			.sessionReset(sessionReset)
			.acquireTimeout(Duration.ofSeconds(30))
			.socketTimeout(Duration.ofSeconds(30))
			.validationIdleThreshold(validationIdleThreshold)
			.build();
		this.instances.add(instance);
		return instance;
	}

	private static Void incrementWithReadModifyWrite(Connection connection) throws SQLException {
		long value;
		try (PreparedStatement select = connection.prepareStatement("SELECT n FROM counter WHERE id = ? FOR UPDATE")) {
			select.setInt(1, 1);
			try (ResultSet result = select.executeQuery()) {
				result.next();
				value = result.getLong(1);
			}
		}
		try (PreparedStatement write = connection.prepareStatement("UPDATE counter SET n = ? WHERE id = ?")) {
			write.setLong(1, value + 1);
			write.setInt(2, 1);
			write.executeUpdate();
		}
		return null;
	}

	private static Void selectRepeatedly(Connection connection) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement("SELECT n FROM counter WHERE id = ?")) {
			for (int i = 0; i < 6; i++) {
				statement.setInt(1, 1);
				try (ResultSet result = statement.executeQuery()) {
					result.next();
				}
			}
		}
		return null;
	}

}
