package dev.managedconnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.managedconnection.TestSql.queryLong;
import static dev.managedconnection.TestSql.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Fault tests: the server's {@code statement_timeout} and
 * {@code idle_in_transaction_session_timeout} fire. A cancelled statement rolls back and keeps
 * the connection; a session ended by the server is replaced. Nothing is committed either way.
 */
@Timeout(60)
class ServerTimeoutIntegrationTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private static TestDatabase database;

	private Connection admin;

	private ManagedConnection managed;

	@BeforeAll
	static void createDatabase() throws SQLException {
		database = TestPostgres.get().createDatabase(ServerTimeoutIntegrationTests.class);
		TestSql.execute(database, "CREATE TABLE item (id int PRIMARY KEY)");
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@BeforeEach
	void setUp() throws SQLException {
		TestSql.execute(database, "TRUNCATE item");
		this.admin = database.connect();
	}

	@AfterEach
	void tearDown() throws SQLException {
		if (this.managed != null) {
			this.managed.close();
		}
		this.admin.close();
	}

	@Test
	void statementTimeoutRollsBackTheTransactionAndKeepsTheConnection() throws SQLException {
		this.managed = withServerOption("statement_timeout=300");
		int pid = this.managed.execute(COMMIT, TestSql::backendPid);
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> this.managed.execute(COMMIT, (connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			return queryLong(connection, "SELECT count(*) FROM pg_sleep(10)");
		})).satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("57014"));
		assertThat(this.managed.status()).isEqualTo(TransactionStatus.IDLE);
		assertThat(this.managed.execute(COMMIT, TestSql::backendPid)).isEqualTo(pid);
		assertThat(queryLong(this.admin, "SELECT count(*) FROM item")).isZero();
	}

	@Test
	void idleInTransactionTimeoutEndsTheSessionWhichIsReplacedAndNothingIsCommitted() throws Exception {
		this.managed = withServerOption("idle_in_transaction_session_timeout=300");
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> this.managed.execute(COMMIT, (connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			int pid = TestSql.backendPid(connection);
			// The holder dawdles inside its transaction until the server gives up on it.
			Faults.awaitBackendGone(this.admin, pid);
			return update(connection, "INSERT INTO item VALUES (2)");
		})).satisfies((ex) -> assertThat(Faults.isBrokenConnection(ex)).as("broken: %s", ex).isTrue());
		assertThat(this.managed.isClosed()).isTrue();
		int inserted = this.managed.execute(COMMIT, (connection) -> update(connection, "INSERT INTO item VALUES (3)"));
		assertThat(inserted).isEqualTo(1);
		assertThat(queryLong(this.admin, "SELECT count(*) FROM item")).isEqualTo(1);
		assertThat(queryLong(this.admin, "SELECT count(*) FROM item WHERE id = 3")).isEqualTo(1);
	}

	private static ManagedConnection withServerOption(String setting) {
		Properties properties = new Properties();
		properties.setProperty("options", "-c " + setting);
		return TestSql.builderFor(database).properties(properties).build();
	}

}
