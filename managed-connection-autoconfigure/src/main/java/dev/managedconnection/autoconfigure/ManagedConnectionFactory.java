package dev.managedconnection.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.MetricsTracker;
import dev.managedconnection.autoconfigure.ManagedConnectionConfigurationException.Problem;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGProperty;

import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.util.StringUtils;

/**
 * Validates the configuration and builds the auto-configured {@link ManagedConnection}.
 * Nothing here touches the database: the connection opens on first use.
 */
final class ManagedConnectionFactory {

	private static final String URL_PREFIX = "jdbc:postgresql:";

	private static final String PREFIX = "managed-connection.";

	private static final int MAX_SUGGESTION_DISTANCE = 2;

	private final ManagedConnectionProperties properties;

	private final Target target;

	private final @Nullable String defaultApplicationName;

	private ManagedConnectionFactory(ManagedConnectionProperties properties, Target target,
			@Nullable String defaultApplicationName) {
		this.properties = properties;
		this.target = target;
		this.defaultApplicationName = defaultApplicationName;
	}

	/**
	 * Create a factory that connects as the given connection details say.
	 * @param properties the managed connection properties
	 * @param connectionDetails the connection details
	 * @param defaultApplicationName the application name to use when none is configured
	 * @return the factory
	 */
	static ManagedConnectionFactory of(ManagedConnectionProperties properties, JdbcConnectionDetails connectionDetails,
			@Nullable String defaultApplicationName) {
		return new ManagedConnectionFactory(properties, new Target(connectionDetails.getJdbcUrl(),
				connectionDetails.getUsername(), connectionDetails.getPassword(), connectionDetails.getClass()),
				defaultApplicationName);
	}

	/**
	 * Create a factory that connects as {@code spring.datasource.*} says.
	 * @param properties the managed connection properties
	 * @param dataSourceProperties the data source properties
	 * @param defaultApplicationName the application name to use when none is configured
	 * @return the factory
	 */
	static ManagedConnectionFactory of(ManagedConnectionProperties properties,
			DataSourceProperties dataSourceProperties, @Nullable String defaultApplicationName) {
		return new ManagedConnectionFactory(properties, new Target(dataSourceProperties.getUrl(),
				dataSourceProperties.getUsername(), dataSourceProperties.getPassword(), null), defaultApplicationName);
	}

	/**
	 * Validate the configuration and build the managed connection.
	 * @param metricsTracker what receives the connection's events for metrics
	 * @return the managed connection, not yet connected
	 * @throws ManagedConnectionConfigurationException if the configuration is invalid
	 */
	ManagedConnection create(MetricsTracker metricsTracker) {
		String url = this.target.validUrl();
		ManagedConnectionProperties properties = this.properties;
		var builder = ManagedConnection.builder()
			.url(url)
			.autoCommit(properties.isAutoCommit())
			.fair(properties.isFair())
			.acquireTimeout(positive("acquire-timeout", properties.getAcquireTimeout()))
			.validationTimeout(positive("validation-timeout", properties.getValidationTimeout()))
			.validationIdleThreshold(notNegative("validation-idle-threshold", properties.getValidationIdleThreshold()))
			.connectTimeout(positive("connect-timeout", properties.getConnectTimeout()))
			.sessionReset(properties.getSessionReset())
			.metricsTracker(metricsTracker);
		Duration leakDetectionThreshold = properties.getLeakDetectionThreshold();
		if (leakDetectionThreshold != null) {
			builder.leakDetectionThreshold(notNegative("leak-detection-threshold", leakDetectionThreshold));
		}
		Duration maxHold = properties.getMaxHold();
		if (maxHold != null) {
			builder.maxHold(notNegative("max-hold", maxHold));
		}
		Duration socketTimeout = properties.getSocketTimeout();
		if (socketTimeout != null && !notNegative("socket-timeout", socketTimeout).isZero()) {
			builder.socketTimeout(socketTimeout);
		}
		if (this.target.username() != null) {
			builder.username(this.target.username());
		}
		if (this.target.password() != null) {
			builder.password(this.target.password());
		}
		String applicationName = StringUtils.hasText(properties.getApplicationName())
				? properties.getApplicationName() : this.defaultApplicationName;
		if (StringUtils.hasText(applicationName)) {
			builder.applicationName(applicationName);
		}
		Map<String, String> driverProperties = properties.getProperties();
		driverProperties.keySet().forEach(ManagedConnectionFactory::requireDriverProperty);
		if (!driverProperties.isEmpty()) {
			Properties copy = new Properties();
			copy.putAll(driverProperties);
			builder.properties(copy);
		}
		return builder.build();
	}

	/**
	 * pgjdbc silently ignores a property it does not know, so a misspelled {@code sslmode}
	 * would quietly weaken the connection: refuse it at startup instead.
	 */
	private static void requireDriverProperty(String key) {
		if (PGProperty.forName(key) == null) {
			throw ManagedConnectionConfigurationException.forUnknownDriverProperty(key, closestDriverProperty(key));
		}
	}

	/**
	 * Return the pgjdbc property that differs from the key only in case, or else by at most
	 * two edits, if there is one.
	 */
	private static @Nullable String closestDriverProperty(String key) {
		String closest = null;
		int closestDistance = MAX_SUGGESTION_DISTANCE + 1;
		for (PGProperty property : PGProperty.values()) {
			String name = property.getName();
			if (name.equalsIgnoreCase(key)) {
				return name;
			}
			int distance = editDistance(key, name);
			if (distance < closestDistance) {
				closest = name;
				closestDistance = distance;
			}
		}
		return closest;
	}

	private static int editDistance(String from, String to) {
		int[] previous = new int[to.length() + 1];
		int[] current = new int[to.length() + 1];
		for (int j = 0; j <= to.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= from.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= to.length(); j++) {
				int substitution = previous[j - 1] + ((from.charAt(i - 1) == to.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[to.length()];
	}

	private static Duration positive(String property, @Nullable Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw ManagedConnectionConfigurationException.forProperty(PREFIX + property, value, Problem.NOT_POSITIVE);
		}
		return value;
	}

	private static Duration notNegative(String property, @Nullable Duration value) {
		if (value == null || value.isNegative()) {
			throw ManagedConnectionConfigurationException.forProperty(PREFIX + property, value, Problem.NEGATIVE);
		}
		return value;
	}

	/**
	 * Where to connect, and where that came from.
	 *
	 * @param url the JDBC URL, if any
	 * @param username the username, if any
	 * @param password the password, if any
	 * @param connectionDetailsType the connection details class, or {@code null} for
	 * {@code spring.datasource.*}
	 */
	private record Target(@Nullable String url, @Nullable String username, @Nullable String password,
			@Nullable Class<?> connectionDetailsType) {

		String validUrl() {
			if (!StringUtils.hasText(this.url)) {
				throw invalid(Problem.MISSING_URL);
			}
			if (!this.url.startsWith(URL_PREFIX)) {
				throw invalid(Problem.NOT_A_POSTGRESQL_URL);
			}
			return this.url;
		}

		private ManagedConnectionConfigurationException invalid(Problem problem) {
			// The query string may carry a password.
			String url = StringUtils.hasText(this.url) ? this.url.replaceFirst("\\?.*", "?...") : null;
			return (this.connectionDetailsType != null)
					? ManagedConnectionConfigurationException.forConnectionDetails(this.connectionDetailsType, url,
							problem)
					: ManagedConnectionConfigurationException.forProperty("spring.datasource.url", url, problem);
		}

	}

}
