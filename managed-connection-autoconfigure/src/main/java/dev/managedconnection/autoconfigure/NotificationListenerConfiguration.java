package dev.managedconnection.autoconfigure;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.annotation.PostgresNotificationListener;
import dev.managedconnection.annotation.PostgresNotificationListenerBeanPostProcessor;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Configuration of {@link PostgresNotificationListener @PostgresNotificationListener}
 * support, imported by {@link ManagedConnectionAutoConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSingleCandidate(ManagedConnection.class)
class NotificationListenerConfiguration {

	@Bean
	@ConditionalOnMissingBean
	static PostgresNotificationListenerBeanPostProcessor postgresNotificationListenerBeanPostProcessor(
			ObjectProvider<ManagedConnection> managedConnection) {
		return new PostgresNotificationListenerBeanPostProcessor(managedConnection::getObject);
	}

}
