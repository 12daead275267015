package dev.managedconnection;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.managedconnection.testsupport.TestDatabase;

/**
 * Small JDBC helpers for tests.
 */
final class TestSql {

	private TestSql() {
	}

	static long queryLong(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	static int update(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			return statement.executeUpdate(sql);
		}
	}

	/**
	 * Run a query on a separate connection of its own, outside any managed scope.
	 */
	static long queryLong(TestDatabase database, String sql) throws SQLException {
		try (Connection connection = database.connect()) {
			return queryLong(connection, sql);
		}
	}

	static void execute(TestDatabase database, String sql) throws SQLException {
		try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	static int backendPid(Connection connection) throws SQLException {
		return (int) queryLong(connection, "SELECT pg_backend_pid()");
	}

	/**
	 * Wait for a latch inside a {@link ConnectionCallback}, which may throw only SQLException.
	 */
	static void await(java.util.concurrent.CountDownLatch latch) {
		try {
			if (!latch.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
				throw new IllegalStateException("Latch not released within 60 s");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	static ManagedConnectionBuilder builderFor(TestDatabase database) {
		return ManagedConnection.builder()
			.url(database.url())
			.username(database.username())
			.password(database.password())
			.acquireTimeout(java.time.Duration.ofSeconds(20));
	}

}
