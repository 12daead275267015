package dev.managedconnection.autoconfigure;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ScopeOptions;
import dev.managedconnection.health.ManagedConnectionHealthIndicator;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole application, auto-configured from the imports file with the health module and
 * Micrometer on the class path: the health contributor is registered and the meters are bound
 * and fed by the auto-configured connection.
 */
class ManagedConnectionObservabilityIntegrationTests {

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create();

	@Test
	void applicationReportsHealthAndRecordsMeters() throws Exception {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
			.web(WebApplicationType.NONE)
			.properties(db.dataSourceProperties())
			.run()) {
			HealthIndicator contributor = (HealthIndicator) context.getBean(HealthContributorRegistry.class)
				.getContributor("managedConnection");
			assertThat(contributor).isInstanceOf(ManagedConnectionHealthIndicator.class);
			assertThat(contributor.health().getStatus()).isEqualTo(Status.UP);

			ManagedConnection managedConnection = context.getBean(ManagedConnection.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			long before = registry.get("managed.connection.acquire").timer().count();
			managedConnection.execute(ScopeOptions.DEFAULT.withCommit(true), (connection) -> null);
			assertThat(registry.get("managed.connection.acquire").timer().count()).isEqualTo(before + 1);
			assertThat(registry.get("managed.connection.usage").timer().count()).isEqualTo(before + 1);
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Application {

	}

}
