package dev.managedconnection.autoconfigure;

import java.util.List;

import dev.managedconnection.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Tests for {@link ManagedConnectionFailureAnalyzer} and
 * {@link ManagedConnectionBindFailureAnalyzer}: each bad configuration is triggered for
 * real through the auto-configuration, then analysed.
 */
@ExtendWith(OutputCaptureExtension.class)
class ManagedConnectionFailureAnalyzerTests {

	private static final String VALID_URL = "spring.datasource.url=jdbc:postgresql://127.0.0.1:1/app";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ManagedConnectionAutoConfiguration.class,
				DataSourceAutoConfiguration.class));

	@Test
	void missingUrl() {
		FailureAnalysis analysis = analyze(new ManagedConnectionFailureAnalyzer());
		assertThat(analysis.getDescription()).isEqualTo(
				"The managed connection could not be configured: 'spring.datasource.url' is not set: the managed "
						+ "connection needs a PostgreSQL JDBC URL.");
		assertThat(analysis.getAction()).startsWith("Set 'spring.datasource.url' to a PostgreSQL JDBC URL such as "
				+ "'jdbc:postgresql://localhost:5432/mydb'")
			.endsWith("set 'managed-connection.enabled' to false.");
	}

	@Test
	void blankUrlIsMissing() {
		FailureAnalysis analysis = analyze(new ManagedConnectionFailureAnalyzer(), "spring.datasource.url= ");
		assertThat(analysis.getDescription()).contains("'spring.datasource.url' is not set");
	}

	@Test
	void urlOfAnotherDatabase() {
		FailureAnalysis analysis = analyze(new ManagedConnectionFailureAnalyzer(),
				"spring.datasource.url=jdbc:mysql://localhost/app");
		assertThat(analysis.getDescription()).isEqualTo("The managed connection could not be configured: "
				+ "'spring.datasource.url' ('jdbc:mysql://localhost/app') is not a PostgreSQL JDBC URL: it must start "
				+ "with 'jdbc:postgresql:'.");
		assertThat(analysis.getAction()).contains("Set 'spring.datasource.url' to a PostgreSQL JDBC URL")
			.contains("PostgreSQL only")
			.contains("'managed-connection.enabled' to false");
	}

	@Test
	void urlQueryStringIsNotShownBecauseItMayHoldAPassword() {
		FailureAnalysis analysis = analyze(new ManagedConnectionFailureAnalyzer(),
				"spring.datasource.url=jdbc:mysql://localhost/app?user=u&password=secret");
		assertThat(analysis.getDescription()).contains("'jdbc:mysql://localhost/app?...'").doesNotContain("secret");
	}

	@Test
	void urlOfAnotherDatabaseFromConnectionDetails() {
		JdbcConnectionDetails mysql = new MySqlConnectionDetails();
		FailureAnalysis analysis = analyze(this.contextRunner.withBean(JdbcConnectionDetails.class, () -> mysql),
				new ManagedConnectionFailureAnalyzer());
		assertThat(analysis.getDescription()).startsWith("The managed connection could not be configured: "
				+ "The JDBC URL of the connection details '" + mysql.getClass().getName() + "' ("
				+ "'jdbc:mysql://localhost:3306/app') is not a PostgreSQL JDBC URL");
		assertThat(analysis.getAction()).contains("Connect the application to a PostgreSQL service")
			.contains(mysql.getClass().getName())
			.contains("define your own ManagedConnection bean");
	}

	@Test
	void zeroAcquireTimeout() {
		assertNotPositive("acquire-timeout", "0", "0s");
	}

	@Test
	void negativeAcquireTimeout() {
		assertNotPositive("acquire-timeout", "-5s", "-5s");
	}

	@Test
	void zeroValidationTimeout() {
		assertNotPositive("validation-timeout", "0s", "0s");
	}

	@Test
	void zeroConnectTimeout() {
		assertNotPositive("connect-timeout", "0ms", "0s");
	}

	@Test
	void negativeValidationIdleThreshold() {
		assertNegative("validation-idle-threshold", "-1ms", "-1ms");
	}

	@Test
	void negativeSocketTimeout() {
		assertNegative("socket-timeout", "-30s", "-30s");
	}

	@Test
	void unparsableDuration() {
		FailureAnalysis analysis = analyze(new ManagedConnectionBindFailureAnalyzer(), VALID_URL,
				"managed-connection.validation-timeout=soon");
		assertThat(analysis.getDescription())
			.startsWith("Failed to bind 'managed-connection.validation-timeout': the value 'soon'")
			.endsWith(" is not a valid duration.");
		assertThat(analysis.getAction()).isEqualTo("Set 'managed-connection.validation-timeout' to a duration such "
				+ "as '30s', '500ms' or 'PT30S' (a bare number is milliseconds), or remove it to use the default.");
	}

	@Test
	void unparsableBoolean() {
		FailureAnalysis analysis = analyze(new ManagedConnectionBindFailureAnalyzer(), VALID_URL,
				"managed-connection.fair=sometimes");
		assertThat(analysis.getDescription()).startsWith("Failed to bind 'managed-connection.fair': the value "
				+ "'sometimes'");
		assertThat(analysis.getAction())
			.isEqualTo("Set 'managed-connection.fair' to true or false, or remove it to use the default.");
	}

	@Test
	void unknownDriverPropertyIsNamedWithWhatItProbablyMeant() {
		FailureAnalysis analysis = analyze(new ManagedConnectionFailureAnalyzer(), VALID_URL,
				"managed-connection.properties.sslmod=verify-full");
		assertThat(analysis.getDescription()).isEqualTo("The managed connection could not be configured: "
				+ "'managed-connection.properties.sslmod' is not a pgjdbc connection property, so pgjdbc would "
				+ "ignore it.");
		assertThat(analysis.getAction()).startsWith("Did you mean 'managed-connection.properties.sslmode'? Use one "
				+ "of pgjdbc's connection properties (https://jdbc.postgresql.org/documentation/use/#connection-parameters)")
			.contains("or remove 'managed-connection.properties.sslmod'");
	}

	@Test
	void driverPropertyNamesAreCaseSensitiveAsPgjdbcReadsThem() {
		FailureAnalysis analysis = analyze(new ManagedConnectionFailureAnalyzer(), VALID_URL,
				"managed-connection.properties.preparethreshold=0");
		assertThat(analysis.getDescription()).contains("'managed-connection.properties.preparethreshold' is not a "
				+ "pgjdbc connection property");
		assertThat(analysis.getAction())
			.startsWith("Did you mean 'managed-connection.properties.prepareThreshold'?")
			.contains("names are case-sensitive")
			.contains("environment variables");
	}

	@Test
	void valueOfAnUnknownDriverPropertyIsNotShownBecauseItMayBeAPassword() {
		FailureAnalysis analysis = analyze(new ManagedConnectionFailureAnalyzer(), VALID_URL,
				"managed-connection.properties.pasword=s3cret-value");
		assertThat(analysis.getDescription()).contains("'managed-connection.properties.pasword'")
			.doesNotContain("s3cret-value");
		assertThat(analysis.getAction()).startsWith("Did you mean 'managed-connection.properties.password'?")
			.doesNotContain("s3cret-value");
	}

	@Test
	void unknownDriverPropertyFarFromEveryKnownOneGetsNoSuggestion() {
		FailureAnalysis analysis = analyze(new ManagedConnectionFailureAnalyzer(), VALID_URL,
				"managed-connection.properties.frobnicate=yes");
		assertThat(analysis.getAction()).startsWith("Use one of pgjdbc's connection properties");
	}

	@Test
	void unknownDriverPropertyIsReportedWhenTheApplicationFailsToStart(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--spring.datasource.url=" + TestPostgres.get().url("app"),
				"--managed-connection.properties.socketTimout=30"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("'managed-connection.properties.socketTimout' is not a pgjdbc connection property")
			.contains("Did you mean 'managed-connection.properties.socketTimeout'?");
	}

	@Test
	void unrelatedFailuresAreLeftToOtherAnalyzers() {
		Throwable failure = startupFailure(
				this.contextRunner.withPropertyValues(VALID_URL, "spring.datasource.type=no.such.Type"));
		assertThat(new ManagedConnectionFailureAnalyzer().analyze(failure)).isNull();
		assertThat(new ManagedConnectionBindFailureAnalyzer().analyze(failure)).isNull();
		assertThat(new ManagedConnectionFailureAnalyzer().analyze(new IllegalStateException("unrelated"))).isNull();
	}

	@Test
	void analyzersAreRegisteredAndReportWhenTheApplicationFailsToStart(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--spring.datasource.url=jdbc:h2:mem:app"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("'spring.datasource.url' ('jdbc:h2:mem:app') is not a PostgreSQL JDBC URL");
	}

	@Test
	void bindAnalyzerIsSortedBeforeBootsGeneralOneWhateverTheClasspathOrder() {
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader
			.forResourceLocation("META-INF/boot-bind-analyzer-first.factories")
			.load(FailureAnalyzer.class);
		assertThat(analyzers).hasSize(2).first().isInstanceOf(ManagedConnectionBindFailureAnalyzer.class);
		// Both analyse the failure, so the order decides which report the user sees.
		Throwable failure = startupFailure(
				this.contextRunner.withPropertyValues(VALID_URL, "managed-connection.acquire-timeout=a while"));
		assertThat(analyzers).allSatisfy((analyzer) -> assertThat(analyzer.analyze(failure)).isNotNull());
	}

	@Test
	void bindAnalyzerReportsWhenTheApplicationFailsToStart(CapturedOutput output) {
		assertThatException().isThrownBy(
				() -> run("--spring.datasource.url=" + TestPostgres.get().url("app"),
						"--managed-connection.acquire-timeout=a while"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Set 'managed-connection.acquire-timeout' to a duration such as '30s'");
	}

	private void assertNotPositive(String property, String value, String shown) {
		FailureAnalysis analysis = analyze(new ManagedConnectionFailureAnalyzer(), VALID_URL,
				"managed-connection." + property + "=" + value);
		assertThat(analysis.getDescription()).isEqualTo("The managed connection could not be configured: "
				+ "'managed-connection." + property + "' ('" + shown + "') must be a duration greater than zero.");
		assertThat(analysis.getAction()).isEqualTo("Set 'managed-connection." + property
				+ "' to a duration greater than zero, such as '10s' or '500ms', or remove it to use the default.");
	}

	private void assertNegative(String property, String value, String shown) {
		FailureAnalysis analysis = analyze(new ManagedConnectionFailureAnalyzer(), VALID_URL,
				"managed-connection." + property + "=" + value);
		assertThat(analysis.getDescription()).isEqualTo("The managed connection could not be configured: "
				+ "'managed-connection." + property + "' ('" + shown + "') must not be negative.");
		assertThat(analysis.getAction()).isEqualTo("Set 'managed-connection." + property
				+ "' to zero or a positive duration, such as '500ms', or remove it to use the default.");
	}

	private FailureAnalysis analyze(FailureAnalyzer analyzer, String... properties) {
		return analyze(this.contextRunner.withPropertyValues(properties), analyzer);
	}

	private static FailureAnalysis analyze(ApplicationContextRunner contextRunner, FailureAnalyzer analyzer) {
		Throwable failure = startupFailure(contextRunner);
		FailureAnalysis analysis = analyzer.analyze(failure);
		assertThat(analysis).as("analysis of %s", failure).isNotNull();
		return analysis;
	}

	private static Throwable startupFailure(ApplicationContextRunner contextRunner) {
		Throwable[] failure = new Throwable[1];
		contextRunner.run((context) -> {
			assertThat(context).hasFailed();
			failure[0] = context.getStartupFailure();
		});
		return failure[0];
	}

	private static void run(String... args) {
		SpringApplication application = new SpringApplication(FailingApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.run(args).close();
	}

	/**
	 * Connection details of another database, as a service connection could supply them.
	 */
	static class MySqlConnectionDetails implements JdbcConnectionDetails {

		@Override
		public String getJdbcUrl() {
			return "jdbc:mysql://localhost:3306/app";
		}

		@Override
		public String getUsername() {
			return "app";
		}

		@Override
		public String getPassword() {
			return "secret";
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ ManagedConnectionAutoConfiguration.class, DataSourceAutoConfiguration.class })
	static class FailingApplication {

	}

}
