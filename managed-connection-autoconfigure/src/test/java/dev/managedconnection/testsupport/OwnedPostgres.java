package dev.managedconnection.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jspecify.annotations.Nullable;

/**
 * A private PostgreSQL server a fault test owns: it can stop it, start it again on the same
 * port with the same data, and restart it, which the shared {@link TestPostgres} server must
 * never suffer.
 * <p>
 * Built on zonky's {@link EmbeddedPostgres} binaries (which run the server in a user
 * namespace when the JVM runs as root); each start is a new zonky instance on the kept data
 * directory and port. {@link #close()} stops the server and deletes its directory.
 */
public final class OwnedPostgres implements AutoCloseable {

	/**
	 * The superuser, trusted on loopback even when {@link Builder#passwordAuthentication()} is on.
	 */
	public static final String SUPERUSER = "postgres";

	private final Path directory;

	private final Path dataDirectory;

	private final Map<String, String> settings;

	private final boolean passwordAuthentication;

	private final ReentrantLock lock = new ReentrantLock();

	private int port;

	private @Nullable EmbeddedPostgres server;

	private boolean closed;

	private OwnedPostgres(Map<String, String> settings, boolean passwordAuthentication) throws IOException {
		this.directory = Files.createTempDirectory("owned-postgres-");
		this.dataDirectory = this.directory.resolve("data");
		this.settings = settings;
		this.passwordAuthentication = passwordAuthentication;
	}

	/**
	 * Start a server with default settings and trust authentication on a free port.
	 * @return the running server; close it when done
	 */
	public static OwnedPostgres start() {
		return builder().start();
	}

	/**
	 * Return a builder for a server with settings of its own.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Start the server again after {@link #stop()}, on the same port with the same data. Does
	 * nothing when it runs.
	 */
	public void startAgain() {
		this.lock.lock();
		try {
			if (this.closed) {
				throw new IllegalStateException(this + " is closed");
			}
			if (this.server != null) {
				return;
			}
			EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
				.setDataDirectory(this.dataDirectory)
				.setCleanDataDirectory(false)
				.setPort(this.port)
				.setDataDirectoryCustomizer(this::customize);
			this.settings.forEach(builder::setServerConfig);
			this.server = builder.start();
			this.port = this.server.getPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start " + this, ex);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Stop the server (fast shutdown: open sessions are terminated and their transactions rolled
	 * back), keeping its data and port. Does nothing when it is stopped.
	 */
	public void stop() {
		this.lock.lock();
		try {
			EmbeddedPostgres running = this.server;
			this.server = null;
			if (running != null) {
				running.close();
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not stop " + this, ex);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Stop the server and start it again on the same port with the same data.
	 */
	public void restart() {
		this.lock.lock();
		try {
			stop();
			startAgain();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return whether the server runs (as far as this object started and stopped it).
	 * @return whether the server runs
	 */
	public boolean isRunning() {
		this.lock.lock();
		try {
			return this.server != null;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return the server's loopback port, kept across restarts.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Return the JDBC URL of the given database on this server.
	 * @param database the database name
	 * @return the JDBC URL
	 */
	public String url(String database) {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + database;
	}

	/**
	 * Open a plain superuser connection with autocommit on to the given database.
	 * @param database the database name
	 * @return a new connection the caller must close
	 * @throws SQLException if it cannot connect
	 */
	public Connection connect(String database) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", SUPERUSER);
		properties.setProperty("connectTimeout", "10");
		return DriverManager.getConnection(url(database), properties);
	}

	/**
	 * Run SQL statements as the superuser on the {@code postgres} database, with autocommit on.
	 * @param sql the statements, run one by one
	 */
	public void execute(String... sql) {
		try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
			for (String each : sql) {
				statement.execute(each);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not run SQL on " + this, ex);
		}
	}

	@Override
	public void close() {
		this.lock.lock();
		try {
			if (this.closed) {
				return;
			}
			this.closed = true;
			stop();
		}
		finally {
			this.lock.unlock();
			deleteDirectory();
		}
	}

	@Override
	public String toString() {
		return "OwnedPostgres[127.0.0.1:" + this.port + " " + (isRunning() ? "running" : "stopped") + "]";
	}

	private void customize(File dataDirectory) {
		if (!this.passwordAuthentication) {
			return;
		}
		String hba = """
				local all all trust
				host all %1$s 127.0.0.1/32 trust
				host all %1$s ::1/128 trust
				host all all 127.0.0.1/32 scram-sha-256
				host all all ::1/128 scram-sha-256
				""".formatted(SUPERUSER);
		try {
			Files.writeString(dataDirectory.toPath().resolve("pg_hba.conf"), hba, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private void deleteDirectory() {
		try (Stream<Path> paths = Files.walk(this.directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// Left in the temporary directory; nothing runs there any more.
		}
	}

	/**
	 * Settings for an {@link OwnedPostgres}.
	 */
	public static final class Builder {

		private final Map<String, String> settings = new LinkedHashMap<>();

		private boolean passwordAuthentication;

		private Builder() {
		}

		/**
		 * Set a server setting ({@code postgresql.conf} parameter).
		 * @param name the parameter name
		 * @param value its value
		 * @return this builder
		 */
		public Builder setting(String name, String value) {
			this.settings.put(name, value);
			return this;
		}

		/**
		 * Require SCRAM passwords on TCP for every role but the {@link #SUPERUSER}, so tests can
		 * change or withhold passwords.
		 * @return this builder
		 */
		public Builder passwordAuthentication() {
			this.passwordAuthentication = true;
			return this;
		}

		/**
		 * Start the server on a free loopback port.
		 * @return the running server; close it when done
		 */
		public OwnedPostgres start() {
			OwnedPostgres postgres;
			try {
				postgres = new OwnedPostgres(new LinkedHashMap<>(this.settings), this.passwordAuthentication);
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not create a directory for PostgreSQL", ex);
			}
			try {
				postgres.startAgain();
			}
			catch (RuntimeException ex) {
				postgres.close();
				throw ex;
			}
			return postgres;
		}

	}

}
