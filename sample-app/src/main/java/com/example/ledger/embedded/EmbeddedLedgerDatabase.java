package com.example.ledger.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * An embedded PostgreSQL server, from Maven Central binaries, holding the {@value #DATABASE}
 * database for one run of the app. Closing it stops the server and deletes its data.
 */
final class EmbeddedLedgerDatabase implements AutoCloseable {

	static final String DATABASE = "ledger";

	static final String USERNAME = "postgres";

	private static final Log logger = LogFactory.getLog(EmbeddedLedgerDatabase.class);

	private final EmbeddedPostgres postgres;

	private final AtomicBoolean closed = new AtomicBoolean();

	private EmbeddedLedgerDatabase(EmbeddedPostgres postgres) {
		this.postgres = postgres;
	}

	/**
	 * Start a server on a free port on the loopback interface and create the database.
	 * @return the running server
	 */
	static EmbeddedLedgerDatabase start() {
		EmbeddedPostgres postgres;
		try {
			// The application context stops the server; a JVM shutdown hook of its own could
			// stop it while the context is still draining requests.
			postgres = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start an embedded PostgreSQL; set spring.datasource.url "
					+ "to use a server of your own", ex);
		}
		EmbeddedLedgerDatabase database = new EmbeddedLedgerDatabase(postgres);
		try (Connection connection = postgres.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + DATABASE);
		}
		catch (SQLException ex) {
			database.close();
			throw new IllegalStateException("Could not create the '" + DATABASE + "' database in the embedded PostgreSQL",
					ex);
		}
		return database;
	}

	int port() {
		return this.postgres.getPort();
	}

	String url() {
		return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
	}

	/**
	 * Return the {@code spring.datasource.*} properties that point the app at this server.
	 * @return the properties
	 */
	Map<String, Object> dataSourceProperties() {
		return Map.of("spring.datasource.url", url(), "spring.datasource.username", USERNAME,
				"spring.datasource.password", "");
	}

	/**
	 * Stop the server and delete its data; later calls do nothing.
	 */
	@Override
	public void close() {
		if (!this.closed.compareAndSet(false, true)) {
			return;
		}
		try {
			this.postgres.close();
			logger.info("Stopped the embedded PostgreSQL on port " + port() + " and deleted its data");
		}
		catch (IOException ex) {
			logger.warn("Could not stop the embedded PostgreSQL on port " + port(), ex);
		}
	}

}
