package dev.managedconnection;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.managedconnection.testsupport.Backends;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;
import dev.managedconnection.testsupport.ThreadPerTask;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ManagedConnection#serverInfo()}: what psycopg2's {@code connection.info}
 * tells, with no round trip and without waiting for the holder.
 */
@Timeout(120)
class ServerInfoIntegrationTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private static final String PASSWORD = "correct horse battery staple";

	private static TestDatabase database;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.get().createDatabase(ServerInfoIntegrationTests.class);
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@Test
	void describesTheServerAndSessionAsTheServerDoes() throws SQLException {
		try (ManagedConnection managed = ManagedConnectionExtension.builderFor(database).applicationName("ledger").build()) {
			ServerInfo info = managed.serverInfo();
			assertThat(info.serverVersion()).isEmpty();
			assertThat(info.serverVersionNumber()).isZero();
			assertThat(info.backendPid()).isEqualTo(-1);
			assertThat(info.parameterStatuses()).isEmpty();
			String[] server = managed.execute(COMMIT, (connection) -> row(connection,
					"SELECT current_setting('server_version'), current_setting('server_version_num'), pg_backend_pid(), "
							+ "current_setting('TimeZone'), current_user"));
			info = managed.serverInfo();
			assertThat(info.serverVersion()).isEqualTo(server[0]);
			assertThat(info.serverVersionNumber()).isEqualTo(Integer.parseInt(server[1]));
			assertThat(info.backendPid()).isEqualTo(Integer.parseInt(server[2]));
			assertThat(info.parameterStatuses()).containsEntry("application_name", "ledger")
				.containsEntry("client_encoding", "UTF8")
				.containsEntry("TimeZone", server[3])
				.containsEntry("session_authorization", server[4])
				.containsEntry("standard_conforming_strings", "on")
				.containsKeys("server_encoding", "DateStyle", "is_superuser", "integer_datetimes");
		}
	}

	@Test
	void showsTheConnectionParametersWithEveryPasswordMasked() throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("sslpassword", PASSWORD);
		properties.setProperty("sslmode", "disable");
		try (ManagedConnection managed = ManagedConnectionExtension.builderFor(database)
			.url(database.url() + "?PASSWORD=" + PASSWORD.replace(" ", "%20") + "&connectTimeout=7")
			.password(PASSWORD)
			.properties(properties)
			.build()) {
			managed.execute(COMMIT, (connection) -> null);
			ServerInfo info = managed.serverInfo();
			assertThat(info.connectionParameters()).containsEntry("host", TestPostgres.get().host())
				.containsEntry("port", Integer.toString(TestPostgres.get().port()))
				.containsEntry("dbname", database.name())
				.containsEntry("user", database.username())
				.containsEntry("sslmode", "disable")
				.containsEntry("password", "******")
				.containsEntry("sslpassword", "******")
				.containsEntry("PASSWORD", "******");
			assertThat(info.toString()).doesNotContain("horse");
		}
	}

	@Test
	void answersAtOnceWhileAnotherThreadHoldsTheConnection() throws Exception {
		try (ManagedConnection managed = ManagedConnectionExtension.builderFor(database).build()) {
			int pid = managed.execute(COMMIT, TestSql::backendPid);
			CountDownLatch held = new CountDownLatch(1);
			CountDownLatch done = new CountDownLatch(1);
			CompletableFuture<Void> holder = ThreadPerTask.runAsync(() -> {
				try {
					managed.execute(COMMIT, (connection) -> {
						held.countDown();
						TestSql.await(done);
						return null;
					});
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});
			try {
				TestSql.await(held);
				// Were it to wait for the holder, this would not end before the holder does.
				ServerInfo info = ThreadPerTask.supplyAsync(managed::serverInfo).get(30, TimeUnit.SECONDS);
				assertThat(info.backendPid()).isEqualTo(pid);
				assertThat(holder).isNotDone();
			}
			finally {
				done.countDown();
				holder.get(30, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void showsWhatAScopeLeftSetWhenTheSessionIsNotReset() throws SQLException {
		try (ManagedConnection managed = ManagedConnectionExtension.builderFor(database).sessionReset(SessionReset.NONE).build()) {
			managed.execute(COMMIT, (connection) -> TestSql.update(connection, "SET TimeZone = 'Pacific/Chatham'"));
			assertThat(managed.serverInfo().parameterStatuses()).containsEntry("TimeZone", "Pacific/Chatham");
		}
	}

	@Test
	void showsTheSessionAsTheResetLeftItAfterAScopeChangedIt() throws SQLException {
		try (ManagedConnection managed = ManagedConnectionExtension.builderFor(database).applicationName("ledger").build()) {
			managed.execute(COMMIT, (connection) -> TestSql.update(connection, "SET application_name = 'changed'"));
			assertThat(managed.serverInfo().parameterStatuses()).containsEntry("application_name", "ledger");
		}
	}

	@Test
	void describesTheNewBackendAfterTheOldOneWasTerminated() throws SQLException {
		try (ManagedConnection managed = ManagedConnectionExtension.builderFor(database).validationIdleThreshold(Duration.ZERO).build()) {
			int first = managed.execute(COMMIT, TestSql::backendPid);
			try (Connection admin = database.connect()) {
				Backends.terminate(admin, first);
			}
			int second = managed.execute(COMMIT, TestSql::backendPid);
			assertThat(second).isNotEqualTo(first);
			assertThat(managed.serverInfo().backendPid()).isEqualTo(second);
		}
	}

	private static String[] row(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
			rows.next();
			String[] values = new String[rows.getMetaData().getColumnCount()];
			for (int i = 0; i < values.length; i++) {
				values[i] = rows.getString(i + 1);
			}
			return values;
		}
	}

}
