package dev.managedconnection.autoconfigure;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.annotation.ExclusiveConnection;
import dev.managedconnection.annotation.ExclusiveConnectionBeanPostProcessor;

import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

/**
 * Configuration of {@link ExclusiveConnection @ExclusiveConnection} support, imported by
 * {@link ManagedConnectionAutoConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({ AbstractBeanFactoryAwareAdvisingPostProcessor.class, CannotGetJdbcConnectionException.class })
@ConditionalOnSingleCandidate(ManagedConnection.class)
class ExclusiveConnectionConfiguration {

	@Bean
	@ConditionalOnMissingBean
	static ExclusiveConnectionBeanPostProcessor exclusiveConnectionBeanPostProcessor(Environment environment,
			ObjectProvider<ManagedConnection> managedConnection) {
		ExclusiveConnectionBeanPostProcessor postProcessor = new ExclusiveConnectionBeanPostProcessor(
				managedConnection::getObject);
		// Class-based proxies by default, as Boot's own proxies.
		postProcessor
			.setProxyTargetClass(environment.getProperty("spring.aop.proxy-target-class", Boolean.class, true));
		return postProcessor;
	}

}
