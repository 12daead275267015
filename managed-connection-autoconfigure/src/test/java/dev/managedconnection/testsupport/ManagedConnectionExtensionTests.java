package dev.managedconnection.testsupport;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ScopeOptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * Tests for {@link ManagedConnectionExtension}: the class's database with its schema, the
 * statements before each test, and each test's managed connection, closed when the test ends.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManagedConnectionExtensionTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE schema_run (id int)", "INSERT INTO schema_run VALUES (1)",
				"CREATE TABLE item (id int PRIMARY KEY)")
		.beforeEachTest("TRUNCATE item")
		.customize((builder) -> builder.applicationName("extension-tests"));

	private static ManagedConnection previousTestsManagedConnection;

	@Test
	@Order(1)
	void theSchemaRunsOnceOnTheClasssOwnDatabase() throws SQLException {
		assertThat(db.name()).startsWith("mc_managedconnectionextensiontests_");
		assertThat(db.queryLong("SELECT count(*) FROM schema_run")).isOne();
		db.execute("INSERT INTO item VALUES (1)", "INSERT INTO item VALUES (2)");
		assertThat(db.queryLong("SELECT count(*) FROM item")).isEqualTo(2);
	}

	@Test
	@Order(2)
	void eachTestStartsWithTheStatementsBeforeEachTestAndGetsAManagedConnectionOfItsOwn() throws SQLException {
		assertThat(db.queryLong("SELECT count(*) FROM schema_run")).isOne();
		assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
		ManagedConnection managed = db.managed();
		assertThat(db.managed()).isSameAs(managed);
		assertThat(managed.settings().applicationName()).isEqualTo("extension-tests");
		assertThat(managed.settings().acquireTimeout()).isEqualTo(ManagedConnectionExtension.ACQUIRE_TIMEOUT);
		String catalog = managed.execute(COMMIT, Connection::getCatalog);
		assertThat(catalog).isEqualTo(db.name());
		previousTestsManagedConnection = managed;
	}

	@Test
	@Order(3)
	void theManagedConnectionOfTheTestBeforeWasClosedForGood() {
		assertThat(previousTestsManagedConnection).isNotSameAs(db.managed());
		assertThatExceptionOfType(SQLNonTransientConnectionException.class)
			.isThrownBy(() -> previousTestsManagedConnection.execute((connection) -> null))
			.withMessageContaining("closed for good");
	}

	@Test
	void aTestsOwnSettingsComeAfterTheClasss() {
		ManagedConnection managed = db.managed((builder) -> builder.validationIdleThreshold(Duration.ZERO));
		assertThat(db.managed()).isSameAs(managed);
		assertThat(managed.settings().validationIdleThreshold()).isZero();
		assertThat(managed.settings().applicationName()).isEqualTo("extension-tests");
	}

	@Test
	void aTestsOwnSettingsCannotChangeAManagedConnectionInUse() {
		db.managed();
		assertThatIllegalStateException().isThrownBy(() -> db.managed((builder) -> builder.autoCommit(true)))
			.withMessageContaining("already built");
	}

	@Test
	void theBuilderHasTheBaseSettingsWithoutTheClasss() {
		try (ManagedConnection other = db.builder().build()) {
			assertThat(other).isNotSameAs(db.managed());
			assertThat(other.settings().url()).isEqualTo(db.url());
			assertThat(other.settings().username()).isEqualTo(db.username());
			assertThat(other.settings().acquireTimeout()).isEqualTo(ManagedConnectionExtension.ACQUIRE_TIMEOUT);
			assertThat(other.settings().applicationName()).isNull();
		}
	}

	@Test
	void dataSourcePropertiesPointSpringBootAtTheDatabase() {
		assertThat(db.dataSourceProperties()).containsExactly("spring.datasource.url=" + db.url(),
				"spring.datasource.username=" + db.username(), "spring.datasource.password=" + db.password());
	}

	@Test
	void theDatabaseIsCreatedBeforeAllAndDroppedAfterAllByTheClassThatCreatedIt() throws Exception {
		ManagedConnectionExtension extension = ManagedConnectionExtension.create().schema("CREATE TABLE t (id int)");
		ExtensionContext outer = classContext("[class:outer]");
		ExtensionContext nested = classContext("[class:outer]/[nested-class:inner]");
		extension.beforeAll(outer);
		String name = extension.name();
		extension.beforeAll(nested);
		assertThat(extension.name()).isEqualTo(name);
		extension.afterAll(nested);
		assertThat(databaseCount(name)).isOne();
		assertThat(extension.database().queryLong("SELECT count(*) FROM t")).isZero();
		extension.afterAll(outer);
		assertThat(databaseCount(name)).isZero();
		assertThatIllegalStateException().isThrownBy(extension::database).withMessageContaining("static field");
	}

	@Test
	void noManagedConnectionOutsideATest() throws Exception {
		ManagedConnectionExtension extension = ManagedConnectionExtension.create();
		ExtensionContext context = classContext("[class:outer]");
		extension.beforeAll(context);
		try {
			assertThatIllegalStateException().isThrownBy(extension::managed)
				.withMessageContaining("No test is running");
			extension.beforeEach(context);
			ManagedConnection managed = extension.managed();
			extension.afterTestExecution(context);
			assertThat(managed.toString()).endsWith("(closed for good)]");
			extension.afterEach(context);
			assertThatIllegalStateException().isThrownBy(extension::managed)
				.withMessageContaining("No test is running");
		}
		finally {
			extension.afterAll(context);
		}
	}

	private static ExtensionContext classContext(String uniqueId) {
		ExtensionContext context = mock(ExtensionContext.class);
		given(context.getUniqueId()).willReturn(uniqueId);
		given(context.getRequiredTestClass()).willAnswer((invocation) -> ManagedConnectionExtensionTests.class);
		return context;
	}

	private static long databaseCount(String name) throws SQLException {
		return db.queryLong("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'");
	}

	@Nested
	class InANestedClass {

		@Test
		void theDatabaseIsTheOuterClasss() throws SQLException {
			assertThat(db.name()).startsWith("mc_managedconnectionextensiontests_");
			assertThat(db.queryLong("SELECT count(*) FROM schema_run")).isOne();
			assertThat(db.managed().settings().applicationName()).isEqualTo("extension-tests");
		}

	}

}
