package dev.managedconnection.autoconfigure;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.health.ManagedConnectionHealthIndicator;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * for {@link ManagedConnectionHealthIndicator}, registered as the {@code managedConnection}
 * health contributor when Spring Boot's health module is present. Turned off with
 * {@code management.health.managed-connection.enabled=false}.
 * <p>
 * When the managed connection is the application's {@code DataSource}, the indicator also
 * takes the place of Spring Boot's {@code db} contributor, whose validation query would queue
 * behind every holder of the one connection; {@code management.health.db.enabled} still turns
 * it off.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = ManagedConnectionAutoConfiguration.class,
		beforeName = "org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration")
@ConditionalOnClass({ ManagedConnection.class, HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnSingleCandidate(ManagedConnection.class)
public final class ManagedConnectionHealthContributorAutoConfiguration {

	// On the method, so that without the health module the class conditions skip this class
	// before the toggle's condition class is needed.
	@Bean
	@ConditionalOnEnabledHealthIndicator("managed-connection")
	@ConditionalOnMissingBean(name = { "managedConnectionHealthIndicator", "managedConnectionHealthContributor" })
	ManagedConnectionHealthIndicator managedConnectionHealthIndicator(ManagedConnection managedConnection) {
		return new ManagedConnectionHealthIndicator(managedConnection);
	}

	@Bean
	@ConditionalOnEnabledHealthIndicator("db")
	@Conditional(OnManagedDataSourceCondition.class)
	@ConditionalOnMissingBean(name = { "dbHealthIndicator", "dbHealthContributor" })
	HealthIndicator dbHealthIndicator(ManagedConnection managedConnection) {
		// The same answer as managedConnection's, under the name that tools watch for databases.
		return new ManagedConnectionHealthIndicator(managedConnection)::health;
	}

}
