package dev.managedconnection.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link TestPgBouncer}: transaction pooling in front of the test server, and the admin
 * console's {@code RECONNECT} and {@code KILL}.
 */
@RequiresPgBouncer
@Timeout(60)
class TestPgBouncerTests {

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create();

	private TestPgBouncer pgBouncer;

	@BeforeEach
	void startPgBouncer() {
		this.pgBouncer = TestPgBouncer.start(TestPostgres.get().host(), TestPostgres.get().port(), 2);
	}

	@AfterEach
	void stopPgBouncer() {
		this.pgBouncer.close();
	}

	@Test
	void queriesRunThroughAPoolInTransactionMode() throws SQLException {
		try (Connection connection = connect()) {
			assertThat(query(connection, "SELECT current_database()")).isEqualTo(db.name());
		}
		assertThat(this.pgBouncer.admin("SHOW POOLS"))
			.filteredOn((pool) -> db.name().equals(pool.get("database")))
			.singleElement()
			.satisfies((pool) -> assertThat(pool).containsEntry("pool_mode", "transaction"));
	}

	@Test
	void killBreaksClientConnectionsAndNewOnesWork() throws SQLException {
		try (Connection connection = connect()) {
			assertThat(query(connection, "SELECT 1")).isEqualTo("1");
			this.pgBouncer.kill(db.name());
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> query(connection, "SELECT 1"))
				.satisfies((ex) -> assertThat(ex.getSQLState()).startsWith("08"));
		}
		try (Connection connection = connect()) {
			assertThat(query(connection, "SELECT 1")).isEqualTo("1");
		}
	}

	@Test
	void adminReportsAnUnknownCommandAsAnError() {
		assertThatIllegalStateException().isThrownBy(() -> this.pgBouncer.admin("NO SUCH COMMAND"))
			.withMessageContaining("NO SUCH COMMAND");
	}

	@Test
	void reconnectReplacesTheServerConnectionBehindAnOpenClient() throws SQLException {
		try (Connection connection = connect()) {
			String before = query(connection, "SELECT pg_backend_pid()");
			this.pgBouncer.reconnect(db.name());
			String after = query(connection, "SELECT pg_backend_pid()");
			assertThat(after).isNotEqualTo(before);
		}
	}

	private Connection connect() throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", db.username());
		properties.setProperty("password", db.password());
		properties.setProperty("prepareThreshold", "0");
		properties.setProperty("socketTimeout", "30");
		return DriverManager.getConnection(this.pgBouncer.url(db.name()), properties);
	}

	private static String query(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
			result.next();
			return result.getString(1);
		}
	}

}
