package dev.managedconnection.autoconfigure;

import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * of a {@link SanitizingFunction} that keeps the database password out of Actuator's
 * {@code env} and {@code configprops} endpoints. Boot masks every value there unless
 * {@code management.endpoint.<id>.show-values} says otherwise; with values shown, a password
 * inside {@code spring.datasource.url} or in {@code managed-connection.properties} would be
 * readable. Backs off with {@code managed-connection.enabled=false}.
 *
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnClass(SanitizingFunction.class)
@ConditionalOnBooleanProperty(name = "managed-connection.enabled", matchIfMissing = true)
public final class ManagedConnectionSanitizingAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "managedConnectionSanitizingFunction")
	SanitizingFunction managedConnectionSanitizingFunction() {
		return new ManagedConnectionSanitizingFunction();
	}

}
