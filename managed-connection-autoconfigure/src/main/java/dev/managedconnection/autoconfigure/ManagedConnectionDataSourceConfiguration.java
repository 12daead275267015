package dev.managedconnection.autoconfigure;

import javax.sql.DataSource;

import dev.managedconnection.ManagedConnection;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Configuration of the {@link DataSource} view of the {@link ManagedConnection}, imported
 * by {@link ManagedConnectionAutoConfiguration} so that Boot's JDBC, transaction, SQL
 * initialization and Flyway auto-configurations run on the managed connection.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(OnDataSourceAutoConfigurationCondition.class)
@ConditionalOnSingleCandidate(ManagedConnection.class)
class ManagedConnectionDataSourceConfiguration {

	// The managed connection owns the physical connection and closes it; the view has
	// nothing of its own to close.
	@Bean(destroyMethod = "")
	@ConditionalOnMissingBean(DataSource.class)
	DataSource dataSource(ManagedConnection managedConnection, Environment environment) {
		HikariPropertiesWarning.warnIfSet(environment);
		return managedConnection.asDataSource();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = OpenInViewNotice.INTERCEPTOR_CLASS)
	static class OpenInViewConfiguration {

		@Bean
		static OpenInViewNotice managedConnectionOpenInViewNotice(ListableBeanFactory beanFactory) {
			return new OpenInViewNotice(beanFactory);
		}

	}

}
