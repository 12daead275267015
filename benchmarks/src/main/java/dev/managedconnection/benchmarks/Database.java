package dev.managedconnection.benchmarks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PostgreSQL server the benchmarks run against, found through the libpq environment
 * variables ({@code PGHOST}, {@code PGPORT}, {@code PGUSER}, {@code PGPASSWORD},
 * {@code PGDATABASE}) with the defaults of a local test server.
 *
 * @param url the JDBC URL
 * @param username the user name
 * @param password the password
 */
record Database(String url, String username, String password) {

	private static final AtomicInteger applicationNames = new AtomicInteger();

	static Database fromEnvironment(Map<String, String> env) {
		String host = env.getOrDefault("PGHOST", "127.0.0.1");
		String port = env.getOrDefault("PGPORT", "5432");
		String database = env.getOrDefault("PGDATABASE", "postgres");
		return new Database("jdbc:postgresql://" + host + ":" + port + "/" + database,
				env.getOrDefault("PGUSER", "postgres"), env.getOrDefault("PGPASSWORD", ""));
	}

	/**
	 * Return a new {@code application_name} that no other benchmark connection carries.
	 * @return the application name
	 */
	static String newApplicationName() {
		return "mc-bench-" + applicationNames.incrementAndGet();
	}

	/**
	 * Return the driver properties of a connection with the given application name.
	 * @param applicationName the application name
	 * @return the properties, with user and password
	 */
	Properties properties(String applicationName) {
		Properties properties = new Properties();
		properties.setProperty("user", this.username);
		properties.setProperty("password", this.password);
		properties.setProperty("ApplicationName", applicationName);
		return properties;
	}

	/**
	 * Open a plain pgjdbc connection.
	 * @param applicationName its application name
	 * @param autoCommit whether autocommit is on
	 * @return the connection, which the caller must close
	 * @throws SQLException if it cannot connect
	 */
	Connection connect(String applicationName, boolean autoCommit) throws SQLException {
		Connection connection = DriverManager.getConnection(this.url, properties(applicationName));
		connection.setAutoCommit(autoCommit);
		return connection;
	}

}
