package dev.managedconnection.autoconfigure;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.MetricsTracker;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Configuration of the {@link ManagedConnection} bean, imported by
 * {@link ManagedConnectionAutoConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(OnDataSourceAutoConfigurationCondition.class)
class ManagedConnectionConfiguration {

	// Closed for good with the context (close() is final): a stray caller must fail, not
	// open a new physical connection.
	@Bean
	@ConditionalOnMissingBean
	ManagedConnection managedConnection(ManagedConnectionProperties properties,
			ObjectProvider<JdbcConnectionDetails> connectionDetails, DataSourceProperties dataSourceProperties,
			Environment environment, ObjectProvider<MetricsTracker> metricsTracker) {
		JdbcConnectionDetails details = connectionDetails
			.getIfAvailable(() -> new PropertiesJdbcConnectionDetails(dataSourceProperties));
		return ManagedConnectionFactory.create(properties, details, environment.getProperty("spring.application.name"),
				metricsTracker.getIfUnique(() -> MetricsTracker.NONE));
	}

}
