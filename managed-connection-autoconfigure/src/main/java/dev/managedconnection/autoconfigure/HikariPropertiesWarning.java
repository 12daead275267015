package dev.managedconnection.autoconfigure;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Warns about {@code spring.datasource.hikari.*} settings when the managed connection provides
 * the application's {@code DataSource}: an application switched from HikariCP keeps them, and
 * HikariCP never reads them, so a {@code maximum-pool-size} would otherwise be ignored silently.
 */
final class HikariPropertiesWarning {

	private static final String PREFIX = "spring.datasource.hikari";

	private static final Logger logger = LoggerFactory.getLogger(ManagedConnectionAutoConfiguration.class);

	private HikariPropertiesWarning() {
	}

	/**
	 * Log one WARN line naming the {@code spring.datasource.hikari.*} keys that are set, if any.
	 * @param environment the environment
	 */
	static void warnIfSet(Environment environment) {
		Set<String> keys = ignoredKeys(environment);
		if (!keys.isEmpty()) {
			logger.warn("Ignoring {}: the managed-connection starter provides the DataSource, one shared connection, "
					+ "so HikariCP's settings do not apply. Remove them, or set managed-connection.enabled=false to use "
					+ "HikariCP.", String.join(", ", keys));
		}
	}

	static Set<String> ignoredKeys(Environment environment) {
		Map<String, Object> hikari = Binder.get(environment)
			.bind(PREFIX, Bindable.mapOf(String.class, Object.class))
			.orElse(Map.of());
		Set<String> keys = new TreeSet<>();
		hikari.keySet().forEach((key) -> keys.add(PREFIX + "." + key));
		return keys;
	}

}
