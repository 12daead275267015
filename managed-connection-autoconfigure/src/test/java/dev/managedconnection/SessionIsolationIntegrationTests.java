package dev.managedconnection;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;

import static dev.managedconnection.TestSql.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Security tests: what one holder does to its session never reaches the next holder under
 * {@link SessionReset#DISCARD_ALL}, the default; {@link SessionReset#JDBC} and
 * {@link SessionReset#NONE} leave what they are documented to leave.
 */
@Timeout(60)
class SessionIsolationIntegrationTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE SCHEMA hidden", "CREATE TABLE item (id int PRIMARY KEY)",
				"CREATE TABLE account (id int PRIMARY KEY, owner text)", "INSERT INTO account VALUES (1, 'alice')");

	@Test
	void discardAllIsTheDefault() throws SQLException {
		execute("SET app.tenant = 'alice'");
		assertThat(query("SELECT coalesce(current_setting('app.tenant', true), '')")).isEmpty();
	}

	@Test
	void setRoleDoesNotReachTheNextHolder() throws SQLException {
		useDiscardAll();
		String user = query("SELECT current_user");
		int pid = db.managed().execute(COMMIT, TestSql::backendPid);
		execute("SET ROLE pg_monitor");
		assertThat(query("SELECT current_user")).isEqualTo(user);
		assertThat(db.managed().execute(COMMIT, TestSql::backendPid)).as("same session").isEqualTo(pid);
	}

	@Test
	void setSessionAuthorizationDoesNotReachTheNextHolder() throws SQLException {
		useDiscardAll();
		String user = query("SELECT session_user");
		execute("SET SESSION AUTHORIZATION pg_monitor");
		assertThat(query("SELECT session_user")).isEqualTo(user);
	}

	@Test
	void searchPathDoesNotReachTheNextHolder() throws SQLException {
		useDiscardAll();
		String searchPath = query("SHOW search_path");
		execute("SET search_path TO hidden");
		assertThat(query("SHOW search_path")).isEqualTo(searchPath);
	}

	@Test
	void customSettingsDoNotReachTheNextHolder() throws SQLException {
		useDiscardAll();
		execute("SELECT set_config('app.tenant', 'alice', false)");
		assertThat(query("SELECT coalesce(current_setting('app.tenant', true), '')")).isEmpty();
	}

	@Test
	void temporaryTablesDoNotReachTheNextHolder() throws SQLException {
		useDiscardAll();
		execute("CREATE TEMPORARY TABLE scratch AS SELECT 'secret' AS value");
		assertThat(query("SELECT coalesce(to_regclass('pg_temp.scratch')::text, '')")).isEmpty();
	}

	@Test
	void sessionAdvisoryLocksAreReleasedForTheNextHolderAndOthers() throws Exception {
		useDiscardAll();
		execute("SELECT pg_advisory_lock(4242)");
		assertThat(query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"))
			.isEqualTo("0");
		try (Connection other = db.connect()) {
			assertThat(queryLong(other, "SELECT pg_try_advisory_lock(4242)::int")).isEqualTo(1);
		}
	}

	@Test
	void listenRegistrationsAndQueuedNotificationsDoNotReachTheNextHolder() throws Exception {
		useDiscardAll();
		db.managed().execute(COMMIT, (connection) -> {
			listenAndReceiveNotification(connection);
			return null;
		});
		assertThat(query("SELECT count(*) FROM pg_listening_channels()")).isEqualTo("0");
		int queued = db.managed().execute(COMMIT,
				(connection) -> connection.unwrap(PGConnection.class).getNotifications().length);
		assertThat(queued).isZero();
	}

	@Test
	void setRoleAfterANestedCommentDoesNotReachTheNextHolder() throws SQLException {
		useDiscardAll();
		String user = query("SELECT current_user");
		// PostgreSQL nests block comments: the first */ does not end this one.
		execute("/* a /* b */ c */ SET ROLE pg_monitor");
		assertThat(query("SELECT current_user")).isEqualTo(user);
	}

	@Test
	void setRoleAfterALineCommentEndedByACarriageReturnDoesNotReachTheNextHolder() throws SQLException {
		useDiscardAll();
		String user = query("SELECT current_user");
		execute("-- audit\rSET ROLE pg_monitor");
		assertThat(query("SELECT current_user")).isEqualTo(user);
	}

	@Test
	void tableCreatedInThePgTempSchemaDoesNotShadowTheRealOneForTheNextHolder() throws SQLException {
		useDiscardAll();
		// pg_temp comes first in every search path, so this table would hide public.account.
		execute("CREATE TABLE pg_temp.account AS SELECT 1 AS id, 'mallory' AS owner");
		assertThat(query("SELECT owner FROM account WHERE id = 1")).isEqualTo("alice");
	}

	@Test
	void setConfigSpelledWithUnicodeEscapesDoesNotReachTheNextHolder() throws SQLException {
		useDiscardAll();
		execute("SELECT U&\"set\\005fconfig\"('app.tenant', 'other', false)");
		assertThat(query("SELECT coalesce(current_setting('app.tenant', true), '')")).isEmpty();
	}

	@Test
	void advisoryLockSpelledWithUnicodeEscapesIsReleasedForTheNextHolder() throws SQLException {
		useDiscardAll();
		execute("SELECT U&\"pg_advisory!005flock\" UESCAPE '!' (4343)");
		assertThat(query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"))
			.isEqualTo("0");
	}

	@Test
	void readOnlyAndIsolationSetWithSqlDoNotReachTheNextHolder() throws SQLException {
		useDiscardAll();
		execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY");
		assertThat(query("SHOW default_transaction_read_only")).isEqualTo("off");
		assertThat(query("SHOW default_transaction_isolation")).isEqualTo("read committed");
		execute("INSERT INTO item VALUES (1)");
	}

	@Test
	void readOnlyAndIsolationSetThroughJdbcDoNotReachTheNextHolder() throws SQLException {
		useDiscardAll();
		db.managed().execute(COMMIT, (connection) -> {
			connection.setReadOnly(true);
			connection.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
			return queryLong(connection, "SELECT 1");
		});
		boolean readOnly = db.managed().execute(COMMIT, Connection::isReadOnly);
		assertThat(readOnly).isFalse();
		assertThat(query("SHOW transaction_isolation")).isEqualTo("read committed");
		assertThat(query("SHOW transaction_read_only")).isEqualTo("off");
	}

	@Test
	void preparedStatementsDoNotReachTheNextHolder() throws SQLException {
		useDiscardAll();
		execute("PREPARE leaked AS SELECT 'secret'");
		assertThat(query("SELECT count(*) FROM pg_prepared_statements")).isEqualTo("0");
	}

	@Test
	void driverPreparedStatementsKeepWorkingAfterADiscard() throws SQLException {
		useDiscardAll();
		for (int scope = 0; scope < 3; scope++) {
			db.managed().execute(COMMIT, (connection) -> {
				try (var statement = connection.prepareStatement("SELECT count(*) FROM item WHERE id > ?")) {
					for (int i = 0; i < 8; i++) {
						statement.setInt(1, i);
						try (ResultSet result = statement.executeQuery()) {
							result.next();
						}
					}
				}
				return null;
			});
		}
	}

	@Test
	void sessionStateLeftThroughTheDataSourceViewDoesNotReachTheNextHolder() throws SQLException {
		useDiscardAll();
		try (Connection borrowed = db.managed().asDataSource().getConnection();
				Statement statement = borrowed.createStatement()) {
			statement.execute("SET search_path TO hidden");
			statement.execute("SELECT set_config('app.tenant', 'alice', false)");
		}
		assertThat(query("SELECT coalesce(current_setting('app.tenant', true), '')")).isEmpty();
		assertThat(query("SHOW search_path")).doesNotContain("hidden");
	}

	@Test
	void jdbcResetRestoresJdbcSettingsButLeavesSqlSessionState() throws SQLException {
		db.managed((builder) -> builder.sessionReset(SessionReset.JDBC));
		db.managed().execute(COMMIT, (connection) -> {
			connection.setReadOnly(true);
			return queryLong(connection, "SELECT 1");
		});
		execute("SET app.tenant = 'alice'");
		boolean readOnly = db.managed().execute(COMMIT, Connection::isReadOnly);
		assertThat(readOnly).isFalse();
		assertThat(query("SELECT current_setting('app.tenant', true)")).isEqualTo("alice");
	}

	@Test
	void noneLeavesJdbcSettingsToo() throws SQLException {
		db.managed((builder) -> builder.sessionReset(SessionReset.NONE));
		db.managed().execute(COMMIT, (connection) -> {
			connection.setReadOnly(true);
			return queryLong(connection, "SELECT 1");
		});
		boolean readOnly = db.managed().execute(COMMIT, Connection::isReadOnly);
		assertThat(readOnly).isTrue();
	}

	@Test
	void jdbcResetLetsQueuedNotificationsThroughWhichIsWhyItIsNotTheDefault() throws SQLException {
		db.managed((builder) -> builder.sessionReset(SessionReset.JDBC));
		db.managed().execute(COMMIT, (connection) -> {
			listenAndReceiveNotification(connection);
			return null;
		});
		int queued = db.managed().execute(COMMIT,
				(connection) -> connection.unwrap(PGConnection.class).getNotifications().length);
		assertThat(queued).isEqualTo(1);
	}

	private static void useDiscardAll() {
		db.managed((builder) -> builder.sessionReset(SessionReset.DISCARD_ALL));
	}

	/**
	 * Listen and notify in one transaction: the server delivers the notification to the
	 * listening session itself with the reply to COMMIT, so the driver queues it without the
	 * holder asking for it.
	 */
	private static void listenAndReceiveNotification(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute("LISTEN secrets");
			statement.execute("NOTIFY secrets, 'for the listener only'");
		}
		connection.commit();
	}

	private void execute(String sql) throws SQLException {
		db.managed().execute(COMMIT, (connection) -> {
			try (Statement statement = connection.createStatement()) {
				return statement.execute(sql);
			}
		});
	}

	private String query(String sql) throws SQLException {
		return db.managed().execute(COMMIT, (connection) -> {
			try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
				result.next();
				return result.getString(1);
			}
		});
	}

}
