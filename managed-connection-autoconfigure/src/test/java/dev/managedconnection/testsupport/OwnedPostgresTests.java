package dev.managedconnection.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link OwnedPostgres}: it stops, starts again on the same port with the same data,
 * restarts, and checks passwords when asked to.
 */
@Timeout(120)
class OwnedPostgresTests {

	private static OwnedPostgres postgres;

	@BeforeAll
	static void startServer() {
		postgres = OwnedPostgres.builder().passwordAuthentication().setting("max_connections", "20").start();
	}

	@AfterAll
	static void closeServer() {
		postgres.close();
	}

	@Test
	void restartKeepsThePortAndTheCommittedData() throws SQLException {
		postgres.execute("CREATE TABLE kept (id int)", "INSERT INTO kept VALUES (42)");
		int port = postgres.port();
		try (Connection before = postgres.connect("postgres")) {
			postgres.restart();
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> query(before, "SELECT 1"));
		}
		assertThat(postgres.port()).isEqualTo(port);
		try (Connection connection = postgres.connect("postgres")) {
			assertThat(query(connection, "SELECT id FROM kept")).isEqualTo("42");
			assertThat(query(connection, "SHOW max_connections")).isEqualTo("20");
		}
		postgres.execute("DROP TABLE kept");
	}

	@Test
	void stopRefusesConnectionsUntilStartedAgain() throws SQLException {
		postgres.stop();
		assertThat(postgres.isRunning()).isFalse();
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> postgres.connect("postgres").close())
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("08001"));
		postgres.startAgain();
		try (Connection connection = postgres.connect("postgres")) {
			assertThat(query(connection, "SELECT 1")).isEqualTo("1");
		}
	}

	@Test
	void passwordAuthenticationChecksPasswordsOfOrdinaryRoles() throws SQLException {
		postgres.execute("CREATE ROLE app LOGIN PASSWORD 'right-password'");
		try {
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> connect("app", "wrong-password").close())
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("28P01"));
			try (Connection connection = connect("app", "right-password")) {
				assertThat(query(connection, "SELECT current_user")).isEqualTo("app");
			}
		}
		finally {
			postgres.execute("DROP ROLE app");
		}
	}

	@Test
	void closeStopsTheServer() throws SQLException {
		OwnedPostgres other = OwnedPostgres.start();
		int port = other.port();
		try (Connection connection = other.connect("postgres")) {
			assertThat(query(connection, "SELECT 1")).isEqualTo("1");
		}
		other.close();
		assertThat(other.isRunning()).isFalse();
		Properties properties = new Properties();
		properties.setProperty("user", OwnedPostgres.SUPERUSER);
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties)
				.close());
	}

	private static Connection connect(String user, String password) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", user);
		properties.setProperty("password", password);
		return DriverManager.getConnection(postgres.url("postgres"), properties);
	}

	private static String query(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
			result.next();
			return result.getString(1);
		}
	}

}
