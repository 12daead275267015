package dev.managedconnection.testsupport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Server backends in fault tests: killing one with {@code pg_terminate_backend} and waiting,
 * bounded, until it is gone or until it runs a given statement.
 * <p>
 * Each method takes either a separate connection with autocommit on (the server's admin
 * connection when the test owns the server) or a {@link TestDatabase}, on which it opens one of
 * its own for the call.
 */
public final class Backends {

	/**
	 * How long a wait for the server may take.
	 */
	public static final Duration BOUND = Duration.ofSeconds(30);

	private static final Duration POLL_INTERVAL = Duration.ofMillis(10);

	private Backends() {
	}

	/**
	 * {@link #terminate(Connection, int) Terminate} a backend, asking on a connection of its own.
	 * @param database the database of the test
	 * @param pid the backend PID
	 * @throws SQLException if the server cannot be asked
	 */
	public static void terminate(TestDatabase database, int pid) throws SQLException {
		onConnectionTo(database, (admin) -> terminate(admin, pid));
	}

	/**
	 * Terminate a backend and wait until it has exited, so that its farewell message has been
	 * sent and the next test step cannot race the server.
	 * @param admin a separate connection with autocommit on
	 * @param pid the backend PID
	 * @throws SQLException if the server cannot be asked
	 */
	public static void terminate(Connection admin, int pid) throws SQLException {
		try (PreparedStatement statement = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
			statement.setInt(1, pid);
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				assertThat(result.getBoolean(1)).as("pg_terminate_backend(%d)", pid).isTrue();
			}
		}
		awaitGone(admin, pid);
	}

	/**
	 * {@link #awaitGone(Connection, int) Wait until a backend is gone}, asking on a connection of
	 * its own.
	 * @param database the database of the test
	 * @param pid the backend PID
	 * @throws SQLException if the server cannot be asked
	 */
	public static void awaitGone(TestDatabase database, int pid) throws SQLException {
		onConnectionTo(database, (admin) -> awaitGone(admin, pid));
	}

	/**
	 * Wait (at most {@link #BOUND}) until a backend no longer appears in {@code pg_stat_activity}.
	 * @param admin a separate connection with autocommit on
	 * @param pid the backend PID
	 * @throws SQLException if the server cannot be asked
	 */
	public static void awaitGone(Connection admin, int pid) throws SQLException {
		try (PreparedStatement statement = admin
			.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ?")) {
			statement.setInt(1, pid);
			await().alias("backend " + pid + " gone")
				.atMost(BOUND)
				.pollInterval(POLL_INTERVAL)
				.until(() -> count(statement) == 0);
		}
	}

	/**
	 * {@link #awaitActiveQuery(Connection, int, String) Wait until a backend runs a statement},
	 * asking on a connection of its own.
	 * @param database the database of the test
	 * @param pid the backend PID
	 * @param text part of the statement
	 * @throws SQLException if the server cannot be asked
	 */
	public static void awaitActiveQuery(TestDatabase database, int pid, String text) throws SQLException {
		onConnectionTo(database, (admin) -> awaitActiveQuery(admin, pid, text));
	}

	/**
	 * Wait (at most {@link #BOUND}) until a backend runs a statement containing the given text.
	 * @param admin a separate connection with autocommit on
	 * @param pid the backend PID
	 * @param text part of the statement
	 * @throws SQLException if the server cannot be asked
	 */
	public static void awaitActiveQuery(Connection admin, int pid, String text) throws SQLException {
		try (PreparedStatement statement = admin.prepareStatement(
				"SELECT count(*) FROM pg_stat_activity WHERE pid = ? AND state = 'active' AND strpos(query, ?) > 0")) {
			statement.setInt(1, pid);
			statement.setString(2, text);
			await().alias("backend " + pid + " running '" + text + "'")
				.atMost(BOUND)
				.pollInterval(POLL_INTERVAL)
				.until(() -> count(statement) == 1);
		}
	}

	private static void onConnectionTo(TestDatabase database, AdminWork work) throws SQLException {
		try (Connection admin = database.connect()) {
			work.run(admin);
		}
	}

	private static int count(PreparedStatement statement) throws SQLException {
		try (ResultSet result = statement.executeQuery()) {
			result.next();
			return result.getInt(1);
		}
	}

	@FunctionalInterface
	private interface AdminWork {

		void run(Connection admin) throws SQLException;

	}

}
