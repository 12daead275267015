package dev.managedconnection.benchmarks;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What one operation of the {@link ThroughputBenchmark} does on the connection it was given.
 */
enum Workload {

	/**
	 * (a) {@code SELECT 1} on a connection in autocommit mode: one round trip.
	 */
	AUTOCOMMIT("SELECT 1, autocommit", true),

	/**
	 * (b) {@code SELECT 1} then {@code COMMIT} on a connection with autocommit off: two round trips.
	 */
	COMMIT("SELECT 1 then COMMIT", false);

	private final String description;

	private final boolean autoCommit;

	Workload(String description, boolean autoCommit) {
		this.description = description;
		this.autoCommit = autoCommit;
	}

	String description() {
		return this.description;
	}

	/**
	 * Return whether the connection this workload runs on is in autocommit mode.
	 * @return whether autocommit is on
	 */
	boolean autoCommit() {
		return this.autoCommit;
	}

	/**
	 * Run one operation, committing when the connection is not in autocommit mode.
	 * @param connection the connection to use
	 * @throws SQLException on a database error
	 */
	void run(Connection connection) throws SQLException {
		selectOne(connection);
		if (!this.autoCommit) {
			connection.commit();
		}
	}

	/**
	 * Run {@code SELECT 1} and check its answer, without committing: for configurations whose
	 * scope commits on release.
	 * @param connection the connection to use
	 * @throws SQLException on a database error
	 */
	static void selectOne(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT 1")) {
			if (!result.next() || result.getInt(1) != 1) {
				throw new IllegalStateException("'SELECT 1' did not return 1");
			}
		}
	}

}
