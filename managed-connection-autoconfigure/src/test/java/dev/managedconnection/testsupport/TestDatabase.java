package dev.managedconnection.testsupport;

import java.sql.Connection;
import java.sql.SQLException;

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

	@Override
	public void close() {
		this.server.dropDatabase(this.name);
	}

}
