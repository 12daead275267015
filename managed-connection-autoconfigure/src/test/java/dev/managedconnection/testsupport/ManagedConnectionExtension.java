package dev.managedconnection.testsupport;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ManagedConnectionBuilder;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The fixture of a database test class: a {@link TestDatabase} of its own on the
 * {@link TestPostgres} server, created before all its tests and dropped after them, and for each
 * test a {@link ManagedConnection} on it, closed when the test ends.
 * <p>
 * Register it in a static field:
 *
 * <pre class="code">
 * &#64;RegisterExtension
 * static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
 * 	.schema("CREATE TABLE item (id int PRIMARY KEY)")
 * 	.beforeEachTest("TRUNCATE item")
 * 	.customize((builder) -&gt; builder.validationIdleThreshold(Duration.ZERO));
 *
 * &#64;Test
 * void insertIsCommitted() throws SQLException {
 * 	db.managed().execute(COMMIT, (connection) -&gt; TestSql.update(connection, "INSERT INTO item VALUES (1)"));
 * 	assertThat(db.queryLong("SELECT count(*) FROM item")).isOne();
 * }
 * </pre>
 *
 * The test's managed connection is built on first use, from {@link #builderFor(TestDatabase) the
 * base builder} and the class's {@link #customize(Consumer) customizer}; a test that needs other
 * settings passes its own to {@link #managed(Consumer)} first. It is closed as soon as the test
 * method returns, before the class's {@code @AfterEach} methods, so that they may stop what it
 * ran through (a proxy, PgBouncer). A test that needs a second managed connection builds it from
 * {@link #builder()} and closes it itself. A Spring test that only needs the database reads
 * {@link #dataSourceProperties()} (or {@link #addDataSourceProperties(DynamicPropertyRegistry)})
 * and never asks for {@link #managed()}.
 * <p>
 * {@link #queryLong(String)}, {@link #execute(String...)} and {@link #connect()} each use a
 * plain connection of their own, closed after use (autocommit on), so that tests counting the
 * database's backends see only those they mean to.
 */
public final class ManagedConnectionExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
		AfterTestExecutionCallback, AfterEachCallback {

	/**
	 * The acquire timeout of the base builder: long enough for a busy two-core machine, far
	 * shorter than the tests' own timeouts.
	 */
	public static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(20);

	private final List<String> schema = new ArrayList<>();

	private final List<String> beforeEachTest = new ArrayList<>();

	private Consumer<ManagedConnectionBuilder> customizer = (builder) -> {
	};

	private @Nullable TestDatabase database;

	private @Nullable String owner;

	private boolean testRunning;

	private @Nullable ManagedConnection managed;

	private ManagedConnectionExtension() {
	}

	/**
	 * Return a fixture with an empty database and a managed connection of the base settings.
	 * @return a new fixture, to register in a static field
	 */
	public static ManagedConnectionExtension create() {
		return new ManagedConnectionExtension();
	}

	/**
	 * Return a builder of a managed connection to the given database: its URL, user name and
	 * password, and an acquire timeout of {@link #ACQUIRE_TIMEOUT}.
	 * @param database the database
	 * @return a new builder
	 */
	public static ManagedConnectionBuilder builderFor(TestDatabase database) {
		return ManagedConnection.builder()
			.url(database.url())
			.username(database.username())
			.password(database.password())
			.acquireTimeout(ACQUIRE_TIMEOUT);
	}

	/**
	 * Run the given statements once, on the new database, before the class's tests.
	 * @param sql the statements, run in order
	 * @return this fixture
	 */
	public ManagedConnectionExtension schema(String... sql) {
		this.schema.addAll(List.of(sql));
		return this;
	}

	/**
	 * Run the given statements before each test (and before the class's {@code @BeforeEach}
	 * methods), typically a {@code TRUNCATE} and the rows every test starts from.
	 * @param sql the statements, run in order
	 * @return this fixture
	 */
	public ManagedConnectionExtension beforeEachTest(String... sql) {
		this.beforeEachTest.addAll(List.of(sql));
		return this;
	}

	/**
	 * Apply the given settings to every test's managed connection, after the base builder's.
	 * @param customizer the settings
	 * @return this fixture
	 */
	public ManagedConnectionExtension customize(Consumer<ManagedConnectionBuilder> customizer) {
		this.customizer = this.customizer.andThen(customizer);
		return this;
	}

	@Override
	public void beforeAll(ExtensionContext context) throws SQLException {
		// Nested classes see the outer class's extension too: the outermost one owns the database.
		if (this.database == null) {
			TestDatabase created = TestPostgres.get().createDatabase(context.getRequiredTestClass());
			this.database = created;
			this.owner = context.getUniqueId();
			created.execute(this.schema.toArray(String[]::new));
		}
	}

	@Override
	public void beforeEach(ExtensionContext context) throws SQLException {
		database().execute(this.beforeEachTest.toArray(String[]::new));
		synchronized (this) {
			this.testRunning = true;
		}
	}

	@Override
	public void afterTestExecution(ExtensionContext context) {
		closeManaged();
	}

	@Override
	public void afterEach(ExtensionContext context) {
		// Closes what an @AfterEach method asked for, or what was built when the test never ran.
		closeManaged();
		synchronized (this) {
			this.testRunning = false;
		}
	}

	@Override
	public void afterAll(ExtensionContext context) {
		TestDatabase created = this.database;
		if (created != null && context.getUniqueId().equals(this.owner)) {
			this.database = null;
			this.owner = null;
			created.close();
		}
	}

	private void closeManaged() {
		ManagedConnection toClose;
		synchronized (this) {
			toClose = this.managed;
			this.managed = null;
		}
		if (toClose != null) {
			toClose.close();
		}
	}

	/**
	 * Return this test's managed connection, building it on first use with the class's settings.
	 * @return the managed connection, closed when the test ends
	 * @throws IllegalStateException when no test of the class runs
	 */
	public synchronized ManagedConnection managed() {
		ManagedConnection current = this.managed;
		return (current != null) ? current : build((builder) -> {
		});
	}

	/**
	 * Build this test's managed connection with the class's settings and then the given ones;
	 * {@link #managed()} returns it for the rest of the test.
	 * @param testCustomizer the settings of this test
	 * @return the managed connection, closed when the test ends
	 * @throws IllegalStateException when no test of the class runs, or when the test's managed
	 * connection was already built
	 */
	public synchronized ManagedConnection managed(Consumer<ManagedConnectionBuilder> testCustomizer) {
		if (this.managed != null) {
			throw new IllegalStateException("This test's managed connection was already built; "
					+ "call managed(customizer) before anything else uses it");
		}
		return build(testCustomizer);
	}

	private ManagedConnection build(Consumer<ManagedConnectionBuilder> testCustomizer) {
		if (!this.testRunning) {
			throw new IllegalStateException("No test is running: the managed connection lives from the start of a "
					+ "test to its end (is the extension registered in a static field?)");
		}
		ManagedConnectionBuilder builder = builder();
		this.customizer.accept(builder);
		testCustomizer.accept(builder);
		ManagedConnection built = builder.build();
		this.managed = built;
		return built;
	}

	/**
	 * Return a builder of another managed connection to this class's database, with the base
	 * settings only (not the class's {@link #customize(Consumer) customizer}); the caller closes
	 * what it builds.
	 * @return a new builder
	 * @see #builderFor(TestDatabase)
	 */
	public ManagedConnectionBuilder builder() {
		return builderFor(database());
	}

	/**
	 * Return this class's database.
	 * @return the database
	 * @throws IllegalStateException before the class's tests or after them
	 */
	public TestDatabase database() {
		TestDatabase current = this.database;
		if (current == null) {
			throw new IllegalStateException("No database: register the extension in a static field "
					+ "(@RegisterExtension static final ManagedConnectionExtension ...)");
		}
		return current;
	}

	/**
	 * Return the JDBC URL of this class's database.
	 * @return the JDBC URL
	 */
	public String url() {
		return database().url();
	}

	/**
	 * Return the name of this class's database.
	 * @return the database name
	 */
	public String name() {
		return database().name();
	}

	/**
	 * Return the user name to connect with.
	 * @return the user name
	 */
	public String username() {
		return database().username();
	}

	/**
	 * Return the password to connect with.
	 * @return the password
	 */
	public String password() {
		return database().password();
	}

	/**
	 * Return the properties that point Spring Boot's {@code spring.datasource.*} at this class's
	 * database, as {@code key=value} pairs.
	 * @return the URL, user name and password properties
	 */
	public String[] dataSourceProperties() {
		return new String[] { "spring.datasource.url=" + url(), "spring.datasource.username=" + username(),
				"spring.datasource.password=" + password() };
	}

	/**
	 * Point Spring Boot's {@code spring.datasource.*} at this class's database, from a
	 * {@code @DynamicPropertySource} method.
	 * @param registry the registry of the test's context
	 */
	public void addDataSourceProperties(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", this::url);
		registry.add("spring.datasource.username", this::username);
		registry.add("spring.datasource.password", this::password);
	}

	/**
	 * Open a plain connection with autocommit on, for test set-up and assertions.
	 * @return a new connection the caller must close
	 * @throws SQLException if it cannot connect
	 */
	public Connection connect() throws SQLException {
		return database().connect();
	}

	/**
	 * Run statements on a plain connection of their own, outside any managed scope.
	 * @param sql the statements, run in order
	 * @throws SQLException if one fails
	 */
	public void execute(String... sql) throws SQLException {
		database().execute(sql);
	}

	/**
	 * Run a query on a plain connection of its own, outside any managed scope, and return the
	 * first column of its first row.
	 * @param sql the query
	 * @return the value
	 * @throws SQLException if the query fails
	 */
	public long queryLong(String sql) throws SQLException {
		return database().queryLong(sql);
	}

	/**
	 * Terminate a backend of the server and wait until it has exited.
	 * @param pid the backend PID
	 * @throws SQLException if the server cannot be asked
	 * @see Backends#terminate(TestDatabase, int)
	 */
	public void terminateBackend(int pid) throws SQLException {
		Backends.terminate(database(), pid);
	}

	/**
	 * Wait until a backend of the server has exited.
	 * @param pid the backend PID
	 * @throws SQLException if the server cannot be asked
	 * @see Backends#awaitGone(TestDatabase, int)
	 */
	public void awaitBackendGone(int pid) throws SQLException {
		Backends.awaitGone(database(), pid);
	}

	/**
	 * Wait until a backend runs a statement containing the given text.
	 * @param pid the backend PID
	 * @param text part of the statement
	 * @throws SQLException if the server cannot be asked
	 * @see Backends#awaitActiveQuery(TestDatabase, int, String)
	 */
	public void awaitActiveQuery(int pid, String text) throws SQLException {
		Backends.awaitActiveQuery(database(), pid, text);
	}

	@Override
	public String toString() {
		TestDatabase current = this.database;
		return "ManagedConnectionExtension[" + ((current != null) ? current.name() : "no database") + "]";
	}

}
