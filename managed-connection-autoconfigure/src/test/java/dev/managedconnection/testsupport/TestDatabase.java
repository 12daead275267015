package dev.managedconnection.testsupport;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A database of its own for one test class on the {@link TestPostgres} server; closing it drops it.
 *
 * @param server the server holding the database
 * @param name the database name
 */
public record TestDatabase(TestPostgres server, String name) implements AutoCloseable {

	/**
	 * Return the JDBC URL of this database.
	 * @return the JDBC URL
	 */
	public String url() {
		return this.server.url(this.name);
	}

	public String username() {
		return this.server.username();
	}

	public String password() {
		return this.server.password();
	}

	/**
	 * Open a plain connection with autocommit on, for test set-up and assertions.
	 * @return a new connection the caller must close
	 * @throws SQLException if it cannot connect
	 */
	public Connection connect() throws SQLException {
		return this.server.connect(this.name);
	}

	/**
	 * Run statements on a plain connection of their own, with autocommit on.
	 * @param sql the statements, run in order
	 * @throws SQLException if one fails
	 */
	public void execute(String... sql) throws SQLException {
		if (sql.length == 0) {
			return;
		}
		try (Connection connection = connect(); Statement statement = connection.createStatement()) {
			for (String each : sql) {
				statement.execute(each);
			}
		}
	}

	/**
	 * Run a query on a plain connection of its own and return the first column of its first row.
	 * @param sql the query
	 * @return the value
	 * @throws SQLException if the query fails
	 */
	public long queryLong(String sql) throws SQLException {
		try (Connection connection = connect(); Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery(sql)) {
			if (!result.next()) {
				throw new SQLException("No row from '" + sql + "'");
			}
			return result.getLong(1);
		}
	}

	@Override
	public void close() {
		this.server.dropDatabase(this.name);
	}

}
