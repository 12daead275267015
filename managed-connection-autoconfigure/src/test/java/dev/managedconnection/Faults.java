package dev.managedconnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Helpers for fault tests: killing backends and waiting until they are gone, and looking
 * through exception chains.
 */
final class Faults {

	private Faults() {
	}

	/**
	 * Terminate a backend with {@code pg_terminate_backend} and wait until it has exited, so that
	 * its farewell message has been sent.
	 * @param admin a separate connection with autocommit on
	 * @param pid the backend PID
	 */
	static void terminateBackend(Connection admin, int pid) throws SQLException {
		try (PreparedStatement statement = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
			statement.setInt(1, pid);
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				assertThat(result.getBoolean(1)).as("pg_terminate_backend(%d)", pid).isTrue();
			}
		}
		awaitBackendGone(admin, pid);
	}

	/**
	 * Wait (at most 30 s) until a backend no longer appears in {@code pg_stat_activity}.
	 * @param admin a separate connection with autocommit on
	 * @param pid the backend PID
	 */
	static void awaitBackendGone(Connection admin, int pid) throws SQLException {
		try (PreparedStatement statement = admin.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ?")) {
			statement.setInt(1, pid);
			await().alias("backend " + pid + " gone")
				.atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(10))
				.until(() -> count(statement) == 0);
		}
	}

	/**
	 * Wait (at most 30 s) until a backend runs a statement containing the given text.
	 * @param admin a separate connection with autocommit on
	 * @param pid the backend PID
	 * @param text part of the statement
	 */
	static void awaitActiveQuery(Connection admin, int pid, String text) throws SQLException {
		try (PreparedStatement statement = admin.prepareStatement(
				"SELECT count(*) FROM pg_stat_activity WHERE pid = ? AND state = 'active' AND strpos(query, ?) > 0")) {
			statement.setInt(1, pid);
			statement.setString(2, text);
			await().alias("backend " + pid + " running '" + text + "'")
				.atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(10))
				.until(() -> count(statement) == 1);
		}
	}

	private static int count(PreparedStatement statement) throws SQLException {
		try (ResultSet result = statement.executeQuery()) {
			result.next();
			return result.getInt(1);
		}
	}

	/**
	 * Return every throwable reachable from the given one: causes, suppressed exceptions and
	 * chained SQL exceptions.
	 * @param failure the failure
	 * @return the throwables, the failure first
	 */
	static List<Throwable> allThrowables(Throwable failure) {
		Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		List<Throwable> result = new ArrayList<>();
		List<Throwable> pending = new ArrayList<>(List.of(failure));
		while (!pending.isEmpty()) {
			Throwable current = pending.remove(0);
			if (!seen.add(current)) {
				continue;
			}
			result.add(current);
			if (current.getCause() != null) {
				pending.add(current.getCause());
			}
			pending.addAll(List.of(current.getSuppressed()));
			if (current instanceof SQLException sql && sql.getNextException() != null) {
				pending.add(sql.getNextException());
			}
		}
		return result;
	}

	/**
	 * Return the SQL states found anywhere in the failure.
	 * @param failure the failure
	 * @return the SQL states, in the order found
	 */
	static List<String> sqlStates(Throwable failure) {
		List<String> states = new ArrayList<>();
		for (Throwable each : allThrowables(failure)) {
			if (each instanceof SQLException sql && sql.getSQLState() != null) {
				states.add(sql.getSQLState());
			}
		}
		return states;
	}

	/**
	 * Return whether the failure says the connection broke.
	 * @param failure the failure
	 * @return whether a broken-connection SQL state is found in it
	 */
	static boolean isBrokenConnection(Throwable failure) {
		return sqlStates(failure).stream().anyMatch(BrokenConnections::isBrokenState);
	}

	/**
	 * Assert that no message, string form or stack-trace text of the failure contains a secret.
	 * @param failure the failure
	 * @param secrets the secrets
	 */
	static void assertNoSecret(Throwable failure, String... secrets) {
		for (Throwable each : allThrowables(failure)) {
			for (String secret : secrets) {
				assertThat(String.valueOf(each.getMessage())).doesNotContain(secret);
				assertThat(each.toString()).doesNotContain(secret);
			}
		}
	}

	static long millisSince(long startNanos) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
	}

}
