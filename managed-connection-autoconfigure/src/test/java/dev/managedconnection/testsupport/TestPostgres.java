package dev.managedconnection.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The PostgreSQL server every database test in this project runs against, chosen once per JVM.
 * <p>
 * In order: the server named by the libpq environment variables when {@code PGHOST} is set (as
 * the original Python package's test suite did), a Testcontainers container when a Docker engine
 * answers, and otherwise an embedded PostgreSQL started from Maven Central binaries. Each test
 * class asks for a {@link TestDatabase} of its own, so classes never see each other's tables.
 */
public final class TestPostgres {

	private static final AtomicInteger databaseCounter = new AtomicInteger();

	private static volatile TestPostgres instance;

	private final String source;

	private final String host;

	private final int port;

	private final String username;

	private final String password;

	private final String adminDatabase;

	private TestPostgres(String source, String host, int port, String username, String password,
			String adminDatabase) {
		this.source = source;
		this.host = host;
		this.port = port;
		this.username = username;
		this.password = password;
		this.adminDatabase = adminDatabase;
	}

	/**
	 * Return the server for this JVM, starting or locating it on first use.
	 * @return the server
	 */
	public static TestPostgres get() {
		TestPostgres server = instance;
		if (server == null) {
			synchronized (TestPostgres.class) {
				server = instance;
				if (server == null) {
					server = locate(System.getenv());
					instance = server;
				}
			}
		}
		return server;
	}

	static TestPostgres locate(Map<String, String> env) {
		String pgHost = env.get("PGHOST");
		if (pgHost != null && !pgHost.isBlank()) {
			return new TestPostgres("PGHOST", pgHost, Integer.parseInt(env.getOrDefault("PGPORT", "5432")),
					env.getOrDefault("PGUSER", "postgres"), env.getOrDefault("PGPASSWORD", ""),
					env.getOrDefault("PGDATABASE", "postgres"));
		}
		if (dockerAvailable()) {
			return startContainer();
		}
		return startEmbedded();
	}

	private static boolean dockerAvailable() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	@SuppressWarnings("resource")
	private static TestPostgres startContainer() {
		PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
		container.start();
		Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "test-postgres-container-stop"));
		return new TestPostgres("Testcontainers", container.getHost(), container.getMappedPort(5432),
				container.getUsername(), container.getPassword(), container.getDatabaseName());
	}

	private static TestPostgres startEmbedded() {
		EmbeddedPostgres postgres = startEmbeddedServer();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(postgres), "test-postgres-embedded-stop"));
		return new TestPostgres("embedded", "127.0.0.1", postgres.getPort(), "postgres", "", "postgres");
	}

	/**
	 * Start an embedded PostgreSQL server owned by the caller, who must close it. Fault tests
	 * that stop and restart a server use this, never the shared one.
	 * @return the started server
	 */
	public static EmbeddedPostgres startEmbeddedServer() {
		try {
			return EmbeddedPostgres.builder().start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start an embedded PostgreSQL", ex);
		}
	}

	private static void closeQuietly(EmbeddedPostgres postgres) {
		try {
			postgres.close();
		}
		catch (IOException ex) {
			// The JVM is exiting; nothing more to do.
		}
	}

	/**
	 * Create a database of its own for a test class.
	 * @param owner the test class, used in the database name
	 * @return the new database; close it to drop it
	 */
	public TestDatabase createDatabase(Class<?> owner) {
		String name = ("mc_" + owner.getSimpleName() + "_" + ProcessHandle.current().pid() + "_"
				+ databaseCounter.incrementAndGet())
			.toLowerCase(Locale.ROOT);
		executeAdmin("CREATE DATABASE " + name);
		return new TestDatabase(this, name);
	}

	void dropDatabase(String name) {
		executeAdmin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
	}

	private void executeAdmin(String sql) {
		try (Connection connection = connect(this.adminDatabase); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not run '" + sql + "' on " + this, ex);
		}
	}

	/**
	 * Open a plain connection with autocommit on to the given database.
	 * @param database the database name
	 * @return a new connection the caller must close
	 * @throws SQLException if it cannot connect
	 */
	public Connection connect(String database) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", this.username);
		properties.setProperty("password", this.password);
		return DriverManager.getConnection(url(database), properties);
	}

	/**
	 * Return the JDBC URL of the given database on this server.
	 * @param database the database name
	 * @return the JDBC URL
	 */
	public String url(String database) {
		return "jdbc:postgresql://" + this.host + ":" + this.port + "/" + database;
	}

	/**
	 * Return where this server came from: {@code PGHOST}, {@code Testcontainers} or {@code embedded}.
	 * @return the source
	 */
	public String source() {
		return this.source;
	}

	public String host() {
		return this.host;
	}

	public int port() {
		return this.port;
	}

	public String username() {
		return this.username;
	}

	public String password() {
		return this.password;
	}

	@Override
	public String toString() {
		return "TestPostgres[" + this.source + " " + this.host + ":" + this.port + "]";
	}

}
