package dev.managedconnection.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import com.zaxxer.hikari.HikariDataSource;
import dev.managedconnection.AcquireTimeoutException;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ScopeOptions;
import dev.managedconnection.ServerNoticesLogLevel;
import dev.managedconnection.SessionReset;
import dev.managedconnection.annotation.ExclusiveConnectionBeanPostProcessor;
import dev.managedconnection.testsupport.Holder;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;

import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.PlatformTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.entry;

/**
 * Tests for {@link ManagedConnectionAutoConfiguration}: every condition, property and
 * back-off, against a real PostgreSQL where the database is involved.
 */
class ManagedConnectionAutoConfigurationTests {

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ManagedConnectionAutoConfiguration.class,
				DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
				TransactionAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
				JdbcClientAutoConfiguration.class));

	@Test
	void isListedInTheAutoConfigurationImports() {
		assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()))
			.contains(ManagedConnectionAutoConfiguration.class.getName());
	}

	@Test
	void createsTheManagedConnectionItsDataSourceAndTheAnnotationSupport() {
		withDatabase().run((context) -> {
			assertThat(context).hasSingleBean(ManagedConnection.class)
				.hasSingleBean(DataSource.class)
				.hasSingleBean(ExclusiveConnectionBeanPostProcessor.class)
				.hasSingleBean(ManagedConnectionProperties.class);
			ManagedConnection managedConnection = context.getBean(ManagedConnection.class);
			try (Connection connection = context.getBean(DataSource.class).getConnection()) {
				assertThat(managedConnection.isHeldByCurrentThread()).isTrue();
				assertThat(connection.getAutoCommit()).isTrue();
			}
			assertThat(managedConnection.isHeldByCurrentThread()).isFalse();
		});
	}

	@Test
	void bootsJdbcAndTransactionSupportRunOnTheManagedConnection() {
		withDatabase().run((context) -> {
			assertThat(context).hasSingleBean(JdbcTemplate.class)
				.hasSingleBean(JdbcClient.class)
				.hasSingleBean(PlatformTransactionManager.class);
			ManagedConnection managedConnection = context.getBean(ManagedConnection.class);
			int pid = context.getBean(JdbcClient.class).sql("SELECT pg_backend_pid()").query(Integer.class).single();
			assertThat(pid).isEqualTo(managedConnection.state().backendPid());
		});
	}

	@Test
	void runsBeforeBootsDataSourceAutoConfiguration() {
		// With a DataSource type set, Boot would create its own DataSource if it ran first.
		withDatabase().withPropertyValues("spring.datasource.type=" + DriverManagerDataSource.class.getName())
			.run((context) -> {
				assertThat(context).hasSingleBean(DataSource.class).doesNotHaveBean(DriverManagerDataSource.class);
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					assertThat(context.getBean(ManagedConnection.class).isHeldByCurrentThread()).isTrue();
				}
			});
	}

	@Test
	void startupDoesNotNeedTheDatabase() {
		this.contextRunner.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:1/nothing")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(ManagedConnection.class);
				assertThat(context.getBean(ManagedConnection.class).state().open()).isFalse();
			});
	}

	@Test
	void managedConnectionIsClosedWhenTheContextCloses() {
		ManagedConnection[] managedConnection = new ManagedConnection[1];
		withDatabase().run((context) -> {
			managedConnection[0] = context.getBean(ManagedConnection.class);
			assertThat(query(managedConnection[0], "SELECT 1")).isEqualTo("1");
			assertThat(managedConnection[0].isClosed()).isFalse();
		});
		assertThat(managedConnection[0].isClosed()).isTrue();
		// Shut down, not just closed: nothing reopens it after the context has gone.
		assertThat(managedConnection[0].toString()).endsWith("(closed for good)]");
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> query(managedConnection[0], "SELECT 1"))
			.withMessageContaining("closed for good");
	}

	@Test
	void backsOffEntirelyWhenDisabled() {
		withDatabase().withPropertyValues("managed-connection.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(ManagedConnection.class)
				.doesNotHaveBean(ManagedConnectionProperties.class)
				.doesNotHaveBean(ExclusiveConnectionBeanPostProcessor.class)
				// Spring Boot's own pool takes over.
				.getBean(DataSource.class)
				.isInstanceOf(HikariDataSource.class));
	}

	@Test
	void isEnabledWhenEnabledIsTrue() {
		withDatabase().withPropertyValues("managed-connection.enabled=true")
			.run((context) -> assertThat(context).hasSingleBean(ManagedConnection.class));
	}

	@Test
	void backsOffForAUserDefinedManagedConnectionAndBuildsOnIt() {
		withDatabase().withBean("userManagedConnection", ManagedConnection.class, () -> db.builder().build())
			.run((context) -> {
				assertThat(context).hasSingleBean(ManagedConnection.class)
					.hasBean("userManagedConnection")
					.hasSingleBean(DataSource.class)
					.hasSingleBean(ExclusiveConnectionBeanPostProcessor.class);
				ManagedConnection user = context.getBean("userManagedConnection", ManagedConnection.class);
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					assertThat(user.isHeldByCurrentThread()).isTrue();
				}
			});
	}

	@Test
	void keepsTheManagedConnectionButNotItsDataSourceWhenTheUserDefinesADataSource() {
		withDatabase().withBean("userDataSource", DataSource.class, DriverManagerDataSource::new).run((context) -> {
			assertThat(context).hasSingleBean(ManagedConnection.class)
				.hasSingleBean(ExclusiveConnectionBeanPostProcessor.class)
				.hasSingleBean(DataSource.class)
				.hasBean("userDataSource");
			assertThat(context.getBean(DataSource.class)).isInstanceOf(DriverManagerDataSource.class);
		});
	}

	@Test
	void definesNoDataSourceOrAnnotationSupportForSeveralManagedConnections() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(HikariDataSource.class))
			.withBean("first", ManagedConnection.class, () -> ManagedConnection.builder().url(db.url()).build())
			.withBean("second", ManagedConnection.class, () -> ManagedConnection.builder().url(db.url()).build())
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(DataSource.class)
				.doesNotHaveBean(ExclusiveConnectionBeanPostProcessor.class));
	}

	@Test
	void keepsAUserDefinedPostProcessor() {
		ExclusiveConnectionBeanPostProcessor postProcessor = new ExclusiveConnectionBeanPostProcessor(() -> {
			throw new IllegalStateException("not used");
		});
		withDatabase().withBean("userPostProcessor", ExclusiveConnectionBeanPostProcessor.class, () -> postProcessor)
			.run((context) -> assertThat(context).getBean(ExclusiveConnectionBeanPostProcessor.class)
				.isSameAs(postProcessor));
	}

	@Test
	void backsOffWithoutSpringBootJdbc() {
		withDatabase().withClassLoader(new FilteredClassLoader(JdbcConnectionDetails.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ManagedConnection.class)
				.doesNotHaveBean(ExclusiveConnectionBeanPostProcessor.class));
	}

	@Test
	void definesNoAnnotationSupportWithoutSpringAop() {
		withDatabase()
			.withClassLoader(new FilteredClassLoader(AbstractBeanFactoryAwareAdvisingPostProcessor.class))
			.run((context) -> assertThat(context).hasSingleBean(ManagedConnection.class)
				.hasSingleBean(DataSource.class)
				.doesNotHaveBean(ExclusiveConnectionBeanPostProcessor.class));
	}

	@Test
	void definesNoAnnotationSupportWithoutSpringJdbc() {
		withDatabase().withClassLoader(new FilteredClassLoader(CannotGetJdbcConnectionException.class))
			.run((context) -> assertThat(context).hasSingleBean(ManagedConnection.class)
				.doesNotHaveBean(ExclusiveConnectionBeanPostProcessor.class));
	}

	@Test
	void connectsWithTheDataSourceProperties() {
		withDatabase().run((context) -> {
			ManagedConnection managedConnection = context.getBean(ManagedConnection.class);
			assertThat(query(managedConnection, "SELECT current_database()")).isEqualTo(db.name());
			assertThat(query(managedConnection, "SELECT current_user")).isEqualTo(db.username());
		});
	}

	@Test
	void connectsWithJdbcConnectionDetailsInsteadOfTheDataSourceProperties() {
		this.contextRunner.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:1/elsewhere")
			.withBean(JdbcConnectionDetails.class, TestConnectionDetails::new)
			.run((context) -> assertThat(query(context.getBean(ManagedConnection.class), "SELECT current_database()"))
				.isEqualTo(db.name()));
	}

	@Test
	void connectsWithJdbcConnectionDetailsWithoutAnyDataSourceProperty() {
		this.contextRunner.withBean(JdbcConnectionDetails.class, TestConnectionDetails::new)
			.run((context) -> assertThat(query(context.getBean(ManagedConnection.class), "SELECT current_database()"))
				.isEqualTo(db.name()));
	}

	@Test
	void autoCommitIsOffInsideAScopeByDefault() {
		withDatabase().run((context) -> assertThat(autoCommitInScope(context)).isFalse());
	}

	@Test
	void autoCommitCanBeSwitchedOn() {
		withDatabase().withPropertyValues("managed-connection.auto-commit=true")
			.run((context) -> assertThat(autoCommitInScope(context)).isTrue());
	}

	@Test
	void applicationNameIsReportedToTheServer() {
		withDatabase().withPropertyValues("managed-connection.application-name=ledger-service")
			.run((context) -> assertThat(query(context.getBean(ManagedConnection.class),
					"SELECT current_setting('application_name')"))
				.isEqualTo("ledger-service"));
	}

	@Test
	void applicationNameDefaultsToTheSpringApplicationName() {
		withDatabase().withPropertyValues("spring.application.name=billing")
			.run((context) -> assertThat(query(context.getBean(ManagedConnection.class),
					"SELECT current_setting('application_name')"))
				.isEqualTo("billing"));
	}

	@Test
	void explicitApplicationNameWinsOverTheSpringApplicationName() {
		withDatabase()
			.withPropertyValues("spring.application.name=billing", "managed-connection.application-name=ledger")
			.run((context) -> assertThat(query(context.getBean(ManagedConnection.class),
					"SELECT current_setting('application_name')"))
				.isEqualTo("ledger"));
	}

	@Test
	void driverPropertiesArePassedToPgjdbc() {
		withDatabase().withPropertyValues("managed-connection.properties.options=-c statement_timeout=4321")
			.run((context) -> assertThat(query(context.getBean(ManagedConnection.class), "SHOW statement_timeout"))
				.isEqualTo("4321ms"));
	}

	@Test
	void driverPropertiesKeepTheCaseOfTheirNamesAndPassValidation() {
		withDatabase().withPropertyValues("managed-connection.properties.prepareThreshold=0",
				"managed-connection.properties.sslmode=disable")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(ManagedConnectionProperties.class).getProperties())
					.containsOnlyKeys("prepareThreshold", "sslmode");
				int prepareThreshold = context.getBean(ManagedConnection.class)
					.execute((connection) -> connection.unwrap(PGConnection.class).getPrepareThreshold());
				assertThat(prepareThreshold).isZero();
			});
	}

	@Test
	void unknownDriverPropertyFailsStartup() {
		withDatabase().withPropertyValues("managed-connection.properties.sslMode=require")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(ManagedConnectionConfigurationException.class)
				.hasMessageContaining("'managed-connection.properties.sslMode'"));
	}

	@Test
	void sessionStateDoesNotPassToTheNextHolderByDefault() {
		withDatabase().run((context) -> {
			ManagedConnection managedConnection = context.getBean(ManagedConnection.class);
			query(managedConnection, "SELECT set_config('app.tenant', 'alice', false)");
			assertThat(query(managedConnection, "SELECT coalesce(current_setting('app.tenant', true), '')")).isEmpty();
		});
	}

	@Test
	void sessionResetCanBeLimitedToJdbcSettings() {
		withDatabase().withPropertyValues("managed-connection.session-reset=jdbc").run((context) -> {
			ManagedConnection managedConnection = context.getBean(ManagedConnection.class);
			query(managedConnection, "SELECT set_config('app.tenant', 'alice', false)");
			assertThat(query(managedConnection, "SELECT current_setting('app.tenant', true)")).isEqualTo("alice");
		});
	}

	@Test
	void acquireTimeoutBoundsTheWaitForTheConnection() {
		withDatabase().withPropertyValues("managed-connection.acquire-timeout=50ms").run((context) -> {
			ManagedConnection managedConnection = context.getBean(ManagedConnection.class);
			// The holder opens the connection, which on a busy machine may take longer than
			// the 50 ms under test: it gets a timeout of its own.
			ScopeOptions patient = ScopeOptions.DEFAULT.withAcquireTimeout(Duration.ofSeconds(30));
			try (Holder holder = Holder.of(managedConnection).options(patient).hold()) {
				assertThatExceptionOfType(AcquireTimeoutException.class)
					.isThrownBy(() -> managedConnection.acquire(ScopeOptions.DEFAULT));
				holder.release();
				holder.result().get(30, TimeUnit.SECONDS);
			}
		});
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void hikariSettingsLeftFromAPoolAreNamedInOneWarning(CapturedOutput output) {
		withDatabase()
			.withPropertyValues("spring.datasource.hikari.maximum-pool-size=5",
					"spring.datasource.hikari.connection-timeout=2000")
			.run((context) -> {
				assertThat(context).hasSingleBean(DataSource.class);
				assertThat(output).containsOnlyOnce("Ignoring spring.datasource.hikari.connection-timeout, "
						+ "spring.datasource.hikari.maximum-pool-size: the managed-connection starter provides the DataSource");
			});
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void noHikariWarningWithoutHikariSettings(CapturedOutput output) {
		withDatabase().run((context) -> {
			assertThat(context).hasSingleBean(DataSource.class);
			assertThat(output).doesNotContain("spring.datasource.hikari");
		});
	}

	@Test
	void zeroValidationIdleThresholdAndSocketTimeoutAreAccepted() {
		withDatabase()
			.withPropertyValues("managed-connection.validation-idle-threshold=0", "managed-connection.socket-timeout=0")
			.run((context) -> assertThat(query(context.getBean(ManagedConnection.class), "SELECT 1")).isEqualTo("1"));
	}

	@Test
	void bindsEveryProperty() {
		this.contextRunner.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:1/app",
				"managed-connection.auto-commit=true", "managed-connection.acquire-timeout=2s",
				"managed-connection.fair=false", "managed-connection.bypass-limit=3",
				"managed-connection.validation-timeout=3s",
				"managed-connection.validation-idle-threshold=0", "managed-connection.connect-timeout=4s",
				"managed-connection.socket-timeout=1m", "managed-connection.application-name=ledger",
				"managed-connection.session-reset=jdbc", "managed-connection.properties.sslmode=disable",
				"managed-connection.properties.prepareThreshold=0",
				"managed-connection.server-notices-log-level=warn")
			.run((context) -> {
				ManagedConnectionProperties properties = context.getBean(ManagedConnectionProperties.class);
				assertThat(properties.isEnabled()).isTrue();
				assertThat(properties.isAutoCommit()).isTrue();
				assertThat(properties.getAcquireTimeout()).isEqualTo(Duration.ofSeconds(2));
				assertThat(properties.isFair()).isFalse();
				assertThat(properties.getBypassLimit()).isEqualTo(3);
				assertThat(context.getBean(ManagedConnection.class).settings().bypassLimit()).isEqualTo(3);
				assertThat(properties.getValidationTimeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(properties.getValidationIdleThreshold()).isZero();
				assertThat(properties.getConnectTimeout()).isEqualTo(Duration.ofSeconds(4));
				assertThat(properties.getSocketTimeout()).isEqualTo(Duration.ofMinutes(1));
				assertThat(properties.getApplicationName()).isEqualTo("ledger");
				assertThat(properties.getSessionReset()).isEqualTo(SessionReset.JDBC);
				assertThat(properties.getProperties()).containsExactly(entry("sslmode", "disable"),
						entry("prepareThreshold", "0"));
				assertThat(properties.getServerNoticesLogLevel()).isEqualTo(ServerNoticesLogLevel.WARN);
				assertThat(context.getBean(ManagedConnection.class).settings().serverNoticesLogLevel())
					.isEqualTo(ServerNoticesLogLevel.WARN);
			});
	}

	@Test
	void propertiesHaveTheDocumentedDefaults() {
		ManagedConnectionProperties properties = new ManagedConnectionProperties();
		assertThat(properties.isEnabled()).isTrue();
		assertThat(properties.isAutoCommit()).isFalse();
		assertThat(properties.getAcquireTimeout()).isEqualTo(Duration.ofSeconds(30));
		assertThat(properties.isFair()).isTrue();
		assertThat(properties.getBypassLimit()).isEqualTo(8);
		assertThat(properties.getValidationTimeout()).isEqualTo(Duration.ofSeconds(5));
		assertThat(properties.getValidationIdleThreshold()).isEqualTo(Duration.ofMillis(500));
		assertThat(properties.getConnectTimeout()).isEqualTo(Duration.ofSeconds(10));
		assertThat(properties.getSocketTimeout()).isNull();
		assertThat(properties.getApplicationName()).isNull();
		assertThat(properties.getSessionReset()).isEqualTo(SessionReset.DISCARD_ALL);
		assertThat(properties.getProperties()).isEmpty();
		assertThat(properties.getServerNoticesLogLevel()).isEqualTo(ServerNoticesLogLevel.DEBUG);
	}

	@Test
	void socketTimeoutIsPassedToPgjdbc() {
		withDatabase().withPropertyValues("managed-connection.socket-timeout=45s")
			.run((context) -> assertThat(
					context.getBean(ManagedConnection.class).execute(Connection::getNetworkTimeout))
				.isEqualTo(45_000));
	}

	@Test
	void noSocketTimeoutByDefault() {
		withDatabase().run((context) -> assertThat(
				context.getBean(ManagedConnection.class).execute(Connection::getNetworkTimeout))
			.isZero());
	}

	@Test
	void zeroValidationIdleThresholdChecksTheConnectionOnEveryAcquisition() {
		withDatabase().withPropertyValues("managed-connection.validation-idle-threshold=0").run((context) -> {
			ManagedConnection managedConnection = context.getBean(ManagedConnection.class);
			String terminated = query(managedConnection, "SELECT pg_backend_pid()");
			db.terminateBackend(Integer.parseInt(terminated));
			// Validation finds the connection dead and opens a new one before handing it out.
			assertThat(query(managedConnection, "SELECT pg_backend_pid()")).isNotEqualTo(terminated);
		});
	}

	@Test
	void connectionUsedWithinTheValidationIdleThresholdIsNotChecked() {
		withDatabase().withPropertyValues("managed-connection.validation-idle-threshold=1h").run((context) -> {
			ManagedConnection managedConnection = context.getBean(ManagedConnection.class);
			db.terminateBackend(Integer.parseInt(query(managedConnection, "SELECT pg_backend_pid()")));
			// No round trip before handing it out, so the caller meets the dead connection.
			assertThatExceptionOfType(SQLException.class)
				.isThrownBy(() -> query(managedConnection, "SELECT pg_backend_pid()"));
		});
	}

	@Test
	void configurationMetadataDescribesEveryProperty() throws IOException {
		String json;
		try (InputStream metadata = new ClassPathResource("META-INF/spring-configuration-metadata.json")
			.getInputStream()) {
			json = new String(metadata.readAllBytes(), StandardCharsets.UTF_8);
		}
		DocumentContext metadata = JsonPath.parse(json);
		List<String> names = metadata.read("$.properties[*].name");
		assertThat(names).containsExactlyInAnyOrder("managed-connection.enabled", "managed-connection.auto-commit",
				"managed-connection.acquire-timeout", "managed-connection.fair", "managed-connection.bypass-limit",
				"managed-connection.validation-timeout",
				"managed-connection.validation-idle-threshold", "managed-connection.connect-timeout",
				"managed-connection.socket-timeout", "managed-connection.application-name",
				"managed-connection.notifications.poll-interval",
				"managed-connection.session-reset", "managed-connection.properties",
				"managed-connection.leak-detection-threshold", "managed-connection.max-hold",
				"managed-connection.server-notices-log-level", "management.health.managed-connection.enabled");
		List<String> descriptions = metadata.read("$.properties[*].description");
		assertThat(descriptions).hasSameSizeAs(names).allSatisfy((description) -> assertThat(description).isNotBlank());
		List<String> acquireTimeoutDefault = metadata
			.read("$.properties[?(@.name == 'managed-connection.acquire-timeout')].defaultValue");
		assertThat(acquireTimeoutDefault).containsExactly("30s");
		List<String> driverPropertyHints = metadata
			.read("$.hints[?(@.name == 'managed-connection.properties.keys')].values[*].value");
		assertThat(driverPropertyHints).contains("sslmode", "prepareThreshold");
	}

	private ApplicationContextRunner withDatabase() {
		return this.contextRunner.withPropertyValues(db.dataSourceProperties());
	}

	private static boolean autoCommitInScope(AssertableApplicationContext context) throws SQLException {
		return context.getBean(ManagedConnection.class).execute(Connection::getAutoCommit);
	}

	static String query(ManagedConnection managedConnection, String sql) throws SQLException {
		// With autocommit off even a query opens a transaction: commit it on return.
		return managedConnection.execute(ScopeOptions.DEFAULT.withCommit(true), (connection) -> {
			try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
				result.next();
				return result.getString(1);
			}
		});
	}

	/**
	 * Connection details as a service connection would supply them.
	 */
	static class TestConnectionDetails implements JdbcConnectionDetails {

		@Override
		public String getJdbcUrl() {
			return db.url();
		}

		@Override
		public String getUsername() {
			return db.username();
		}

		@Override
		public String getPassword() {
			return db.password();
		}

	}

}
