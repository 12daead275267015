package dev.managedconnection;

import java.sql.SQLException;
import java.util.Properties;

import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

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

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE item (id int PRIMARY KEY)")
		.beforeEachTest("TRUNCATE item");

	@Test
	void statementTimeoutRollsBackTheTransactionAndKeepsTheConnection() throws SQLException {
		ManagedConnection managed = withServerOption("statement_timeout=300");
		int pid = managed.execute(COMMIT, TestSql::backendPid);
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> managed.execute(COMMIT, (connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			return queryLong(connection, "SELECT count(*) FROM pg_sleep(10)");
		})).satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("57014"));
		assertThat(managed.status()).isEqualTo(TransactionStatus.IDLE);
		assertThat(managed.execute(COMMIT, TestSql::backendPid)).isEqualTo(pid);
		assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
	}

	@Test
	void idleInTransactionTimeoutEndsTheSessionWhichIsReplacedAndNothingIsCommitted() throws Exception {
		ManagedConnection managed = withServerOption("idle_in_transaction_session_timeout=300");
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> managed.execute(COMMIT, (connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			int pid = TestSql.backendPid(connection);
			// The holder dawdles inside its transaction until the server gives up on it.
			db.awaitBackendGone(pid);
			return update(connection, "INSERT INTO item VALUES (2)");
		})).satisfies((ex) -> assertThat(Faults.isBrokenConnection(ex)).as("broken: %s", ex).isTrue());
		assertThat(managed.isClosed()).isTrue();
		int inserted = managed.execute(COMMIT, (connection) -> update(connection, "INSERT INTO item VALUES (3)"));
		assertThat(inserted).isEqualTo(1);
		assertThat(db.queryLong("SELECT count(*) FROM item")).isEqualTo(1);
		assertThat(db.queryLong("SELECT count(*) FROM item WHERE id = 3")).isEqualTo(1);
	}

	private static ManagedConnection withServerOption(String setting) {
		Properties properties = new Properties();
		properties.setProperty("options", "-c " + setting);
		return db.managed((builder) -> builder.properties(properties));
	}

}
