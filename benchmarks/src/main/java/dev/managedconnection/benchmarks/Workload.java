package dev.managedconnection.benchmarks;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What one operation of the {@link ThroughputBenchmark} does: optionally some work before it
 * takes the connection, then its statements on the connection it was given.
 */
enum Workload {

	/**
	 * (a) {@code SELECT 1} on a connection in autocommit mode: one round trip.
	 */
	AUTOCOMMIT("a", "SELECT 1, autocommit", true),

	/**
	 * (b) {@code SELECT 1} then {@code COMMIT} on a connection with autocommit off: two round trips.
	 */
	COMMIT("b", "SELECT 1 then COMMIT", false),

	/**
	 * (c) A web request (see {@link WebRequest}): CPU work without the connection, then a
	 * transaction of 1 to 3 statements, 80 % of the requests reading only, with CPU work after
	 * each statement.
	 */
	WEB("c", "web request: CPU, then a transaction of 1-3 statements (80 % read-only) with CPU in between", false) {
		@Override
		void beforeScope() {
			WebRequest.beforeScope();
		}

		@Override
		void body(Connection connection) throws SQLException {
			WebRequest.inScope(connection);
		}
	};

	private final String letter;

	private final String description;

	private final boolean autoCommit;

	Workload(String letter, String description, boolean autoCommit) {
		this.letter = letter;
		this.description = description;
		this.autoCommit = autoCommit;
	}

	/**
	 * Return the letter the report and the targets name this workload by.
	 * @return {@code a}, {@code b} or {@code c}
	 */
	String letter() {
		return this.letter;
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
	 * Do what an operation does before it asks for the connection: nothing but for
	 * {@link #WEB}. Part of the operation's measured latency.
	 */
	void beforeScope() {
	}

	/**
	 * Run one operation, committing when the connection is not in autocommit mode.
	 * @param connection the connection to use
	 * @throws SQLException on a database error
	 */
	void run(Connection connection) throws SQLException {
		body(connection);
		if (!this.autoCommit) {
			connection.commit();
		}
	}

	/**
	 * Run the operation's statements without committing: for configurations whose scope
	 * commits on release.
	 * @param connection the connection to use
	 * @throws SQLException on a database error
	 */
	void body(Connection connection) throws SQLException {
		selectOne(connection);
	}

	/**
	 * Run {@code SELECT 1} and check its answer, without committing.
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
