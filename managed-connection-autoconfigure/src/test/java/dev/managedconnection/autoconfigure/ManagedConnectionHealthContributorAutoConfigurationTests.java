package dev.managedconnection.autoconfigure;

import javax.sql.DataSource;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.health.ManagedConnectionHealthIndicator;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration;
import org.springframework.boot.jdbc.health.DataSourceHealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ManagedConnectionHealthContributorAutoConfiguration}.
 */
class ManagedConnectionHealthContributorAutoConfigurationTests {

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ManagedConnectionAutoConfiguration.class,
				ManagedConnectionHealthContributorAutoConfiguration.class,
				HealthContributorRegistryAutoConfiguration.class));

	@Test
	void isListedInTheAutoConfigurationImports() {
		assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()))
			.contains(ManagedConnectionHealthContributorAutoConfiguration.class.getName());
	}

	@Test
	void registersTheManagedConnectionContributorThatReportsUp() {
		withDatabase(this.contextRunner).run((context) -> {
			assertThat(context).hasSingleBean(ManagedConnectionHealthIndicator.class);
			Object contributor = context.getBean(HealthContributorRegistry.class).getContributor("managedConnection");
			assertThat(contributor).isSameAs(context.getBean(ManagedConnectionHealthIndicator.class));
			Health health = ((HealthIndicator) contributor).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsKeys("backendPid", "serverVersion", "transactionStatus",
					"waitingThreads");
		});
	}

	@Test
	void backsOffWhenTheHealthToggleIsOff() {
		withDatabase(this.contextRunner).withPropertyValues("management.health.managed-connection.enabled=false")
			.run((context) -> {
				assertThat(context).hasSingleBean(ManagedConnection.class)
					.doesNotHaveBean(ManagedConnectionHealthIndicator.class);
				assertThat(context.getBean(HealthContributorRegistry.class).getContributor("managedConnection"))
					.isNull();
			});
	}

	@Test
	void backsOffWhenHealthIndicatorsAreOffByDefault() {
		withDatabase(this.contextRunner).withPropertyValues("management.health.defaults.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ManagedConnectionHealthIndicator.class));
	}

	@Test
	void followsTheToggleOverTheDefaults() {
		withDatabase(this.contextRunner)
			.withPropertyValues("management.health.defaults.enabled=false",
					"management.health.managed-connection.enabled=true")
			.run((context) -> assertThat(context).hasSingleBean(ManagedConnectionHealthIndicator.class));
	}

	@Test
	void backsOffWithoutSpringBootHealth() {
		withDatabase(new ApplicationContextRunner().withConfiguration(AutoConfigurations
			.of(ManagedConnectionAutoConfiguration.class, ManagedConnectionHealthContributorAutoConfiguration.class)))
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(ManagedConnection.class)
				.doesNotHaveBean(ManagedConnectionHealthIndicator.class));
	}

	@Test
	void backsOffWithoutAManagedConnection() {
		withDatabase(this.contextRunner).withPropertyValues("managed-connection.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(ManagedConnectionHealthIndicator.class));
	}

	@Test
	void backsOffForAnIndicatorOfTheSameName() {
		withDatabase(this.contextRunner).withUserConfiguration(UserIndicatorConfiguration.class)
			.run((context) -> {
				assertThat(context).doesNotHaveBean(ManagedConnectionHealthIndicator.class);
				assertThat(context.getBean(HealthContributorRegistry.class).getContributor("managedConnection"))
					.isSameAs(context.getBean("managedConnectionHealthIndicator"));
			});
	}

	@Test
	void answersForSpringBootsDbContributorWhenTheManagedConnectionIsTheDataSource() {
		withDatabase(this.contextRunner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				DataSourceHealthContributorAutoConfiguration.class)))
			.run((context) -> {
				HealthContributorRegistry registry = context.getBean(HealthContributorRegistry.class);
				assertThat(registry.getContributor("db")).isSameAs(context.getBean("dbHealthIndicator"));
				assertThat(context).doesNotHaveBean("dbHealthContributor")
					.doesNotHaveBean(DataSourceHealthIndicator.class);
				Health health = ((HealthIndicator) registry.getContributor("db")).health();
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(health.getDetails()).containsKeys("backendPid", "transactionStatus", "waitingThreads");
			});
	}

	@Test
	void leavesSpringBootsDbContributorToADataSourceOfTheApplication() {
		withDatabase(this.contextRunner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				DataSourceHealthContributorAutoConfiguration.class)))
			.withUserConfiguration(UserDataSourceConfiguration.class)
			.run((context) -> {
				assertThat(context).doesNotHaveBean("dbHealthIndicator").hasBean("dbHealthContributor");
				assertThat(context.getBean(HealthContributorRegistry.class).getContributor("db"))
					.isInstanceOf(DataSourceHealthIndicator.class);
			});
	}

	@Test
	void theDbToggleTurnsTheDbContributorOff() {
		withDatabase(this.contextRunner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				DataSourceHealthContributorAutoConfiguration.class)))
			.withPropertyValues("management.health.db.enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean("dbHealthIndicator").doesNotHaveBean("dbHealthContributor");
				assertThat(context.getBean(HealthContributorRegistry.class).getContributor("managedConnection"))
					.isNotNull();
			});
	}

	private static ApplicationContextRunner withDatabase(ApplicationContextRunner runner) {
		return runner.withPropertyValues(db.dataSourceProperties());
	}

	@Configuration(proxyBeanMethods = false)
	static class UserDataSourceConfiguration {

		@Bean
		DataSource userDataSource() {
			PGSimpleDataSource dataSource = new PGSimpleDataSource();
			dataSource.setUrl(db.url());
			dataSource.setUser(db.username());
			dataSource.setPassword(db.password());
			return dataSource;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserIndicatorConfiguration {

		@Bean
		HealthIndicator managedConnectionHealthIndicator() {
			return () -> Health.up().withDetail("source", "user").build();
		}

	}

}
