package dev.managedconnection;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Small JDBC helpers for tests, to use inside a scope. The database and managed connection of
 * a test class come from {@link dev.managedconnection.testsupport.ManagedConnectionExtension}.
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

}
