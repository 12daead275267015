package dev.managedconnection.autoconfigure;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.OpenTransactionException;
import dev.managedconnection.ScopeOptions;
import dev.managedconnection.metrics.ManagedConnectionMetrics;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ManagedConnectionMetricsAutoConfiguration}.
 */
class ManagedConnectionMetricsAutoConfigurationTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ManagedConnectionAutoConfiguration.class,
				ManagedConnectionMetricsAutoConfiguration.class, MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class));

	@Test
	void isListedInTheAutoConfigurationImports() {
		assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()))
			.contains(ManagedConnectionMetricsAutoConfiguration.class.getName());
	}

	@Test
	void recordsTheEventsOfTheAutoConfiguredConnectionInTheRegistry() {
		withDatabase(this.contextRunner).run((context) -> {
			assertThat(context).hasSingleBean(ManagedConnectionMetrics.class);
			ManagedConnection managedConnection = context.getBean(ManagedConnection.class);
			assertThat(managedConnection.execute(COMMIT, ManagedConnectionMetricsAutoConfigurationTests::one))
				.isEqualTo(1);
			assertThatExceptionOfType(OpenTransactionException.class)
				.isThrownBy(() -> managedConnection.execute(ManagedConnectionMetricsAutoConfigurationTests::one));
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("managed.connection.acquire").timer().count()).isEqualTo(2);
			assertThat(registry.get("managed.connection.usage").timer().count()).isEqualTo(2);
			assertThat(registry.get("managed.connection.rollbacks").tag("reason", "open-transaction").counter().count())
				.isEqualTo(1);
			assertThat(registry.get("managed.connection.active").gauge().value()).isZero();
		});
	}

	@Test
	void usesMetricsOfYourOwn() {
		withDatabase(this.contextRunner).withUserConfiguration(TaggedMetricsConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(ManagedConnectionMetrics.class);
			context.getBean(ManagedConnection.class).execute(COMMIT, ManagedConnectionMetricsAutoConfigurationTests::one);
			assertThat(context.getBean(MeterRegistry.class)
				.get("managed.connection.acquire")
				.tag("name", "orders")
				.timer()
				.count()).isEqualTo(1);
		});
	}

	@Test
	void backsOffWithoutMicrometer() {
		withDatabase(new ApplicationContextRunner().withConfiguration(AutoConfigurations
			.of(ManagedConnectionAutoConfiguration.class, ManagedConnectionMetricsAutoConfiguration.class)))
			.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(ManagedConnectionMetrics.class);
				assertThat(context.getBean(ManagedConnection.class)
					.execute(COMMIT, ManagedConnectionMetricsAutoConfigurationTests::one)).isEqualTo(1);
			});
	}

	@Test
	void backsOffWithoutAMeterRegistry() {
		withDatabase(new ApplicationContextRunner().withConfiguration(AutoConfigurations
			.of(ManagedConnectionAutoConfiguration.class, ManagedConnectionMetricsAutoConfiguration.class)))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(MeterRegistry.class)
					.doesNotHaveBean(ManagedConnectionMetrics.class);
				assertThat(context.getBean(ManagedConnection.class)
					.execute(COMMIT, ManagedConnectionMetricsAutoConfigurationTests::one)).isEqualTo(1);
			});
	}

	@Test
	void backsOffWithoutAManagedConnection() {
		withDatabase(this.contextRunner).withPropertyValues("managed-connection.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(MeterRegistry.class)
				.doesNotHaveBean(ManagedConnectionMetrics.class));
	}

	private static ApplicationContextRunner withDatabase(ApplicationContextRunner runner) {
		return runner.withPropertyValues(db.dataSourceProperties());
	}

	private static int one(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SELECT 1")) {
			rs.next();
			return rs.getInt(1);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class TaggedMetricsConfiguration {

		@Bean
		ManagedConnectionMetrics ordersMetrics() {
			return new ManagedConnectionMetrics(Tags.of("name", "orders"));
		}

	}

}
