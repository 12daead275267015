package dev.managedconnection;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.managedconnection.testsupport.Holder;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;

import static dev.managedconnection.TestSql.backendPid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests that no JDBC object reached from a scope's connection hands out the driver's
 * connection, and that each of them dies with the scope, as the handle itself does.
 */
class HandleSealingIntegrationTests {

	private static final String RELEASED = "Connection handle released";

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE item (id int PRIMARY KEY)",
				"CREATE FUNCTION twice(n int) RETURNS int LANGUAGE sql AS 'SELECT 2 * n'")
		.customize((builder) -> builder.autoCommit(true));

	@Test
	void metaDataAnswersTheHandleAndDiesWithTheScope() throws SQLException {
		AtomicReference<DatabaseMetaData> kept = new AtomicReference<>();
		db.managed().execute((connection) -> {
			DatabaseMetaData metaData = connection.getMetaData();
			assertThat(metaData.getConnection()).isSameAs(connection);
			kept.set(metaData);
			return null;
		});
		assertReleased(() -> kept.get().getConnection());
		assertReleased(() -> kept.get().getTables(null, null, "item", null));
	}

	@Test
	void statementsOfEveryKindAnswerTheHandleAndDieWithTheScope() throws SQLException {
		List<Statement> kept = new ArrayList<>();
		db.managed().execute((connection) -> {
			Statement plain = connection.createStatement();
			PreparedStatement prepared = connection.prepareStatement("SELECT 1");
			CallableStatement callable = connection.prepareCall("{ ? = call twice(?) }");
			for (Statement statement : List.of(plain, prepared, callable)) {
				assertThat(statement.getConnection()).isSameAs(connection);
				kept.add(statement);
			}
			return null;
		});
		for (Statement statement : kept) {
			assertReleased(statement::getConnection);
			assertReleased(() -> statement.execute("SELECT 1"));
			assertThat(statement.isClosed()).isTrue();
			statement.close();
		}
	}

	@Test
	void resultSetsOfStatementsAnswerTheirStatementAndDieWithTheScope() throws SQLException {
		List<ResultSet> kept = new ArrayList<>();
		db.managed().execute((connection) -> {
			Statement plain = connection.createStatement();
			PreparedStatement prepared = connection.prepareStatement("SELECT 1");
			CallableStatement callable = connection.prepareCall("{ ? = call twice(?) }");
			callable.registerOutParameter(1, java.sql.Types.INTEGER);
			callable.setInt(2, 21);
			ResultSet fromPlain = plain.executeQuery("SELECT 1");
			ResultSet fromPrepared = prepared.executeQuery();
			callable.execute();
			assertThat(callable.getInt(1)).isEqualTo(42);
			ResultSet fromGetResultSet = prepared.execute() ? prepared.getResultSet() : null;
			assertThat(fromPlain.getStatement()).isSameAs(plain);
			assertThat(fromPrepared.getStatement()).isSameAs(prepared);
			assertThat(fromGetResultSet).isNotNull();
			assertThat(fromGetResultSet.getStatement()).isSameAs(prepared);
			for (ResultSet resultSet : List.of(fromPlain, fromPrepared, fromGetResultSet)) {
				assertThat(resultSet.getStatement().getConnection()).isSameAs(connection);
				kept.add(resultSet);
			}
			return null;
		});
		for (ResultSet resultSet : kept) {
			assertReleased(resultSet::getStatement);
			assertReleased(resultSet::next);
			assertThat(resultSet.isClosed()).isTrue();
			resultSet.close();
		}
	}

	@Test
	void metaDataResultSetsAndGeneratedKeysNeverReachTheDriversConnection() throws SQLException {
		List<ResultSet> kept = new ArrayList<>();
		db.managed().execute((connection) -> {
			ResultSet tables = connection.getMetaData().getTables(null, null, "item", null);
			assertThat(tables.next()).isTrue();
			Statement tablesStatement = tables.getStatement();
			if (tablesStatement != null) {
				assertThat(tablesStatement.getConnection()).isSameAs(connection);
			}
			PreparedStatement insert = connection.prepareStatement("INSERT INTO item VALUES (1)",
					Statement.RETURN_GENERATED_KEYS);
			insert.executeUpdate();
			ResultSet keys = insert.getGeneratedKeys();
			assertThat(keys.getStatement().getConnection()).isSameAs(connection);
			kept.add(tables);
			kept.add(keys);
			return null;
		});
		for (ResultSet resultSet : kept) {
			assertReleased(resultSet::getStatement);
			assertReleased(resultSet::next);
		}
	}

	@Test
	void onlyAnExplicitUnwrapReachesTheDriver() throws SQLException {
		db.managed().execute((connection) -> {
			assertThat(connection.unwrap(PGConnection.class)).isInstanceOf(PGConnection.class);
			Statement statement = connection.createStatement();
			assertThat(statement.unwrap(Statement.class).getConnection()).isInstanceOf(PGConnection.class);
			ResultSet resultSet = statement.executeQuery("SELECT 1");
			assertThat(resultSet).isNotInstanceOf(org.postgresql.jdbc.PgResultSet.class);
			assertThat(resultSet.unwrap(ResultSet.class)).isInstanceOf(org.postgresql.jdbc.PgResultSet.class);
			return null;
		});
	}

	@Test
	void aConnectionErrorTheCallerSwallowedStillGetsTheConnectionReplacedWithoutAnError() throws Exception {
		int first = db.managed().execute(TestSql::backendPid);
		try (LogCapture log = LogCapture.of(ManagedConnection.class)) {
			db.managed().execute((connection) -> {
				db.terminateBackend(first);
				try (Statement statement = connection.createStatement()) {
					statement.execute("SELECT 1");
				}
				catch (SQLException ex) {
					// Swallowed, as careless code does.
					assertThat(BrokenConnections.isBroken(ex)).isTrue();
				}
				return null;
			});
			assertThat(db.managed().execute(TestSql::backendPid)).isNotEqualTo(first);
			assertThat(log.events()).noneMatch((event) -> event.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN));
		}
	}

	@Test
	void anAcquireTimeoutOfAnotherManagedConnectionInsideAScopeKeepsThisConnection() throws Exception {
		try (ManagedConnection other = db.builder()
			.acquireTimeout(java.time.Duration.ofMillis(100))
			.build()) {
			int pid = db.managed().execute(TestSql::backendPid);
			try (Holder holder = Holder.hold(other)) {
				assertThatExceptionOfType(AcquireTimeoutException.class)
					.isThrownBy(() -> db.managed().execute((connection) -> {
						backendPid(connection);
						return other.execute((otherConnection) -> null);
					}));
			}
			assertThat(db.managed().execute(TestSql::backendPid)).isEqualTo(pid);
		}
	}

	private static void assertReleased(ThrowingCall call) {
		assertThatExceptionOfType(SQLException.class).isThrownBy(call::run).withMessageContaining(RELEASED);
	}

	@FunctionalInterface
	interface ThrowingCall {

		void run() throws SQLException;

	}

}
