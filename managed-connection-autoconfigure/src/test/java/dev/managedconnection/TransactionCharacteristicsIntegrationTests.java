package dev.managedconnection;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import dev.managedconnection.RoundTripCountingSocketFactory.RoundTrips;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

import static dev.managedconnection.TestSql.queryLong;
import static dev.managedconnection.TestSql.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Tests the transaction characteristics of a scope ({@link ScopeOptions#withReadOnly},
 * {@link ScopeOptions#withIsolation}, {@link ScopeOptions#withDeferrable}) on a real server: the
 * scope's transactions have them, whatever begins them, with autocommit off and on, and the
 * session's defaults never change, so the next holder sees none of them even with
 * {@link SessionReset#NONE}.
 */
@Timeout(60)
class TransactionCharacteristicsIntegrationTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private static final ScopeOptions READ_ONLY = COMMIT.withReadOnly(true);

	private static final ScopeOptions ALL = COMMIT.withReadOnly(true)
		.withIsolation(Connection.TRANSACTION_SERIALIZABLE)
		.withDeferrable(true);

	private static TestDatabase database;

	private ManagedConnection managed;

	@BeforeAll
	static void createDatabase() throws SQLException {
		database = TestPostgres.get().createDatabase(TransactionCharacteristicsIntegrationTests.class);
		database.execute("CREATE TABLE item (id int PRIMARY KEY)");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@BeforeEach
	void clean() throws SQLException {
		database.execute("TRUNCATE item");
	}

	@AfterEach
	void closeManagedConnection() {
		if (this.managed != null) {
			this.managed.close();
		}
	}

	@Test
	void showReportsTheScopesCharacteristics() throws SQLException {
		this.managed = build(false);
		List<String> shown = this.managed.execute(ALL, TransactionCharacteristicsIntegrationTests::showCharacteristics);
		assertThat(shown).containsExactly("serializable", "on", "on");
	}

	@Test
	void eachIsolationLevelIsApplied() throws SQLException {
		this.managed = build(false);
		assertThat(isolationOf(Connection.TRANSACTION_READ_UNCOMMITTED)).isEqualTo("read uncommitted");
		assertThat(isolationOf(Connection.TRANSACTION_READ_COMMITTED)).isEqualTo("read committed");
		assertThat(isolationOf(Connection.TRANSACTION_REPEATABLE_READ)).isEqualTo("repeatable read");
		assertThat(isolationOf(Connection.TRANSACTION_SERIALIZABLE)).isEqualTo("serializable");
	}

	@Test
	void readWriteAndNotDeferrableAreAppliedToo() throws SQLException {
		this.managed = ManagedConnectionExtension.builderFor(database).sessionReset(SessionReset.NONE).build();
		this.managed.execute(COMMIT, (connection) -> update(connection,
				"SET default_transaction_read_only = on; SET default_transaction_deferrable = on"));
		List<String> shown = this.managed.execute(COMMIT.withReadOnly(false).withDeferrable(false),
				TransactionCharacteristicsIntegrationTests::showCharacteristics);
		assertThat(shown).containsExactly("read committed", "off", "off");
	}

	@Test
	void aWriteInAReadOnlyScopeFailsWithPostgresqlsError() throws SQLException {
		this.managed = build(false);
		SQLException failure = catchThrowableOfType(SQLException.class,
				() -> this.managed.execute(READ_ONLY, (connection) -> update(connection, "INSERT INTO item VALUES (1)")));
		assertThat(failure.getSQLState()).isEqualTo("25006");
		assertThat(failure.getMessage()).contains("read-only transaction");
		assertThat(database.queryLong("SELECT count(*) FROM item")).isZero();
	}

	@Test
	void aPreparedWriteInAReadOnlyScopeFails() throws SQLException {
		this.managed = build(false);
		SQLException failure = catchThrowableOfType(SQLException.class, () -> this.managed.execute(READ_ONLY,
				(connection) -> {
					try (PreparedStatement insert = connection.prepareStatement("INSERT INTO item VALUES (?)")) {
						insert.setInt(1, 1);
						return insert.executeUpdate();
					}
				}));
		assertThat(failure.getSQLState()).isEqualTo("25006");
	}

	@Test
	void everyTransactionOfTheScopeHasTheCharacteristics() throws SQLException {
		this.managed = build(false);
		List<String> shown = this.managed.execute(ALL, (connection) -> {
			List<String> both = new ArrayList<>(showCharacteristics(connection));
			connection.commit();
			both.addAll(showCharacteristics(connection));
			connection.rollback();
			both.addAll(showCharacteristics(connection));
			return both;
		});
		assertThat(shown).containsExactly("serializable", "on", "on", "serializable", "on", "on", "serializable",
				"on", "on");
	}

	@Test
	void theNextHolderSeesTheDefaultsEvenWithoutASessionReset() throws SQLException {
		this.managed = ManagedConnectionExtension.builderFor(database).sessionReset(SessionReset.NONE).build();
		this.managed.execute(ALL, TransactionCharacteristicsIntegrationTests::showCharacteristics);
		assertThat(this.managed.execute(COMMIT, TransactionCharacteristicsIntegrationTests::showCharacteristics))
			.containsExactly("read committed", "off", "off");
		List<String> defaults = this.managed.execute(COMMIT,
				(connection) -> List.of(show(connection, "default_transaction_isolation"),
						show(connection, "default_transaction_read_only"),
						show(connection, "default_transaction_deferrable")));
		assertThat(defaults).containsExactly("read committed", "off", "off");
		this.managed.execute(COMMIT, (connection) -> update(connection, "INSERT INTO item VALUES (1)"));
		assertThat(database.queryLong("SELECT count(*) FROM item")).isOne();
	}

	@Test
	void aNestedScopeJoinsTheOuterOneAndItsCharacteristicsAreIgnored() throws SQLException {
		this.managed = build(false);
		List<String> shown = this.managed.execute(COMMIT,
				(outer) -> this.managed.execute(ALL, TransactionCharacteristicsIntegrationTests::showCharacteristics));
		assertThat(shown).containsExactly("read committed", "off", "off");
	}

	@Test
	void aTransactionBegunByASavepointHasTheCharacteristics() throws SQLException {
		this.managed = build(false);
		List<String> shown = this.managed.execute(ALL, (connection) -> {
			connection.setSavepoint();
			return showCharacteristics(connection);
		});
		assertThat(shown).containsExactly("serializable", "on", "on");
	}

	@Test
	void aTransactionBegunByADatabaseMetaDataQueryHasTheCharacteristics() throws SQLException {
		this.managed = build(false);
		List<String> shown = this.managed.execute(ALL, (connection) -> {
			try (ResultSet tables = connection.getMetaData().getTables(null, null, "item", null)) {
				assertThat(tables.next()).isTrue();
			}
			return showCharacteristics(connection);
		});
		assertThat(shown).containsExactly("serializable", "on", "on");
	}

	@Test
	void aDatabaseMetaDataCallThatRunsNoQueryBeginsNoTransaction() throws SQLException {
		this.managed = build(false);
		TransactionStatus status = this.managed.execute(ScopeOptions.DEFAULT.withReadOnly(true), (connection) -> {
			connection.getMetaData().getDatabaseProductName();
			return this.managed.status();
		});
		assertThat(status).isEqualTo(TransactionStatus.IDLE);
	}

	@Test
	void everyDatabaseMetaDataMethodThatBeginsATransactionInPgjdbcIsSeen() throws Exception {
		Properties properties = new Properties();
		properties.setProperty("user", database.username());
		properties.setProperty("password", database.password());
		List<String> missed = new ArrayList<>();
		try (Connection connection = DriverManager.getConnection(database.url(), properties)) {
			connection.setAutoCommit(false);
			DatabaseMetaData metaData = connection.getMetaData();
			BaseConnection pgConnection = connection.unwrap(BaseConnection.class);
			for (Method method : DatabaseMetaData.class.getMethods()) {
				try {
					method.invoke(metaData, defaultArguments(method));
				}
				catch (InvocationTargetException ex) {
					// Refused arguments: what matters is whether it reached the server.
				}
				if (pgConnection.getTransactionState() != TransactionState.IDLE) {
					if (!ScopedObject.runsQuery(method)) {
						missed.add(method.getName());
					}
					connection.rollback();
				}
			}
		}
		assertThat(missed).isEmpty();
	}

	@Test
	void aHoldersOwnSetReadOnlyIsKeptWhenTheScopeSetsOnlyTheIsolation() throws SQLException {
		this.managed = build(false);
		List<String> shown = this.managed.execute(COMMIT.withIsolation(Connection.TRANSACTION_REPEATABLE_READ),
				(connection) -> {
					connection.setReadOnly(true);
					return showCharacteristics(connection);
				});
		assertThat(shown).containsExactly("repeatable read", "on", "off");
	}

	@Test
	void theScopesIsolationWinsOverTheSessionDefaultAHolderSetThroughJdbc() throws SQLException {
		this.managed = build(false);
		String isolation = this.managed.execute(COMMIT.withIsolation(Connection.TRANSACTION_SERIALIZABLE),
				(connection) -> {
					connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
					return show(connection, "transaction_isolation");
				});
		assertThat(isolation).isEqualTo("serializable");
	}

	@Test
	void theDataSourceViewInsideTheScopeRunsInItsTransaction() throws SQLException {
		this.managed = build(false);
		List<String> shown = this.managed.execute(ALL, (connection) -> {
			try (Connection joined = this.managed.asDataSource().getConnection()) {
				return showCharacteristics(joined);
			}
		});
		assertThat(shown).containsExactly("serializable", "on", "on");
	}

	@Test
	void withAutocommitReadOnlyAppliesToEachStatement() throws SQLException {
		this.managed = build(true);
		List<String> shown = this.managed.execute(ALL, (connection) -> {
			List<String> characteristics = showCharacteristics(connection);
			SQLException failure = catchThrowableOfType(SQLException.class,
					() -> update(connection, "INSERT INTO item VALUES (1)"));
			assertThat(failure.getSQLState()).isEqualTo("25006");
			assertThat(this.managed.status()).isEqualTo(TransactionStatus.IDLE);
			return characteristics;
		});
		assertThat(shown).containsExactly("serializable", "on", "on");
		assertThat(database.queryLong("SELECT count(*) FROM item")).isZero();
	}

	@Test
	void withAutocommitEachStatementIsCommittedInATransactionOfItsOwn() throws SQLException {
		this.managed = build(true);
		long seenElsewhere = this.managed.execute(ScopeOptions.DEFAULT.withIsolation(Connection.TRANSACTION_SERIALIZABLE),
				(connection) -> {
					update(connection, "INSERT INTO item VALUES (1)");
					assertThat(this.managed.status()).isEqualTo(TransactionStatus.IDLE);
					return database.queryLong("SELECT count(*) FROM item");
				});
		assertThat(seenElsewhere).isOne();
	}

	@Test
	void withAutocommitAFailedStatementIsRolledBackAndTheNextOneRuns() throws SQLException {
		this.managed = build(true);
		long count = this.managed.execute(READ_ONLY.withReadOnly(false), (connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			SQLException failure = catchThrowableOfType(SQLException.class,
					() -> update(connection, "INSERT INTO item VALUES (1)"));
			assertThat(failure.getSQLState()).isEqualTo("23505");
			assertThat(this.managed.status()).isEqualTo(TransactionStatus.IDLE);
			update(connection, "INSERT INTO item VALUES (2)");
			return queryLong(connection, "SELECT count(*) FROM item");
		});
		assertThat(count).isEqualTo(2);
	}

	@Test
	void withAutocommitATransactionTheHolderBeginsWithSqlHasTheCharacteristics() throws SQLException {
		this.managed = build(true);
		List<String> shown = this.managed.execute(ScopeOptions.DEFAULT.withIsolation(Connection.TRANSACTION_SERIALIZABLE),
				(connection) -> {
					try (Statement statement = connection.createStatement()) {
						statement.execute("BEGIN");
						List<String> characteristics = showCharacteristics(connection);
						statement.execute("INSERT INTO item VALUES (1)");
						statement.execute("INSERT INTO item VALUES (2)");
						assertThat(database.queryLong("SELECT count(*) FROM item")).as("not committed yet")
							.isZero();
						statement.execute("COMMIT");
						return characteristics;
					}
				});
		assertThat(shown).containsExactly("serializable", "off", "off");
		assertThat(database.queryLong("SELECT count(*) FROM item")).isEqualTo(2);
	}

	@Test
	void withAutocommitAnUpdatableResultSetsInsertIsReadOnlyToo() throws SQLException {
		this.managed = build(true);
		SQLException failure = catchThrowableOfType(SQLException.class, () -> this.managed.execute(READ_ONLY,
				(connection) -> {
					try (Statement statement = connection.createStatement(ResultSet.TYPE_FORWARD_ONLY,
							ResultSet.CONCUR_UPDATABLE); ResultSet items = statement.executeQuery("SELECT id FROM item")) {
						items.moveToInsertRow();
						items.updateInt(1, 7);
						items.insertRow();
					}
					return null;
				}));
		assertThat(failure.getSQLState()).isEqualTo("25006");
		assertThat(database.queryLong("SELECT count(*) FROM item")).isZero();
	}

	@Test
	void aScopeWithCharacteristicsCostsAtMostOneMoreRoundTripPerTransaction() throws SQLException {
		RoundTrips roundTrips = RoundTripCountingSocketFactory.newCounter();
		try (ManagedConnection counted = ManagedConnectionExtension.builderFor(database)
			.properties(roundTrips.connectionProperties())
			.validationIdleThreshold(Duration.ofMinutes(10))
			.build()) {
			counted.execute(COMMIT, (connection) -> queryLong(connection, "SELECT 1"));
			long plain = roundTripsOf(roundTrips, () -> counted.execute(COMMIT,
					(connection) -> queryLong(connection, "SELECT 1")));
			long characteristics = roundTripsOf(roundTrips, () -> counted.execute(ALL,
					(connection) -> queryLong(connection, "SELECT 1")));
			// One more with pgjdbc 42.7.14 (Boot 4.1); none with 42.7.8 (Boot 4.0), whose plain
			// scope already takes one round trip more than 42.7.14's (see ValidationRoundTripTests).
			assertThat(characteristics).as("round trips: %d plain, %d with characteristics", plain, characteristics)
				.isBetween(plain, plain + 1);
		}
		finally {
			roundTrips.close();
		}
	}

	@Test
	void withAutocommitAStatementCostsThreeRoundTripsInsteadOfOne() throws SQLException {
		RoundTrips roundTrips = RoundTripCountingSocketFactory.newCounter();
		try (ManagedConnection counted = ManagedConnectionExtension.builderFor(database)
			.autoCommit(true)
			.properties(roundTrips.connectionProperties())
			.validationIdleThreshold(Duration.ofMinutes(10))
			.build()) {
			counted.execute((connection) -> queryLong(connection, "SELECT 1"));
			long plain = roundTripsOf(roundTrips, () -> counted.execute(
					(connection) -> queryLong(connection, "SELECT 1")));
			long characteristics = roundTripsOf(roundTrips, () -> counted.execute(READ_ONLY,
					(connection) -> queryLong(connection, "SELECT 1")));
			assertThat(plain).isOne();
			assertThat(characteristics).isEqualTo(3);
		}
		finally {
			roundTrips.close();
		}
	}

	private String isolationOf(int level) throws SQLException {
		return this.managed.execute(COMMIT.withIsolation(level), (connection) -> show(connection, "transaction_isolation"));
	}

	private ManagedConnection build(boolean autoCommit) {
		return ManagedConnectionExtension.builderFor(database).autoCommit(autoCommit).build();
	}

	private static long roundTripsOf(RoundTrips roundTrips, Work work) throws SQLException {
		long before = roundTrips.count();
		work.run();
		return roundTrips.count() - before;
	}

	private static List<String> showCharacteristics(Connection connection) throws SQLException {
		return List.of(show(connection, "transaction_isolation"), show(connection, "transaction_read_only"),
				show(connection, "transaction_deferrable"));
	}

	private static String show(Connection connection, String setting) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SHOW " + setting)) {
			result.next();
			return result.getString(1);
		}
	}

	private static Object[] defaultArguments(Method method) {
		Class<?>[] types = method.getParameterTypes();
		Object[] arguments = new Object[types.length];
		for (int i = 0; i < types.length; i++) {
			if (types[i] == int.class) {
				arguments[i] = 0;
			}
			else if (types[i] == long.class) {
				arguments[i] = 0L;
			}
			else if (types[i] == boolean.class) {
				arguments[i] = false;
			}
		}
		return arguments;
	}

	@FunctionalInterface
	private interface Work {

		void run() throws SQLException;

	}

}
