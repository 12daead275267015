package dev.managedconnection.autoconfigure;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

import dev.managedconnection.InvalidSettingException;
import dev.managedconnection.InvalidSettingException.Rule;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ManagedConnectionBuilder;
import dev.managedconnection.MetricsTracker;
import dev.managedconnection.autoconfigure.ManagedConnectionConfigurationException.Problem;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGProperty;

import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.util.StringUtils;

/**
 * Builds the auto-configured {@link ManagedConnection} from connection details and
 * {@code managed-connection.*}. The settings check themselves ({@link ManagedConnectionSettings});
 * a setting they refuse is reported under the property that set it. Nothing here touches the
 * database: the connection opens on first use.
 */
final class ManagedConnectionFactory {

	private static final String PREFIX = "managed-connection.";

	private static final Pattern WORD_START = Pattern.compile("(?=[A-Z])");

	private static final int MAX_SUGGESTION_DISTANCE = 2;

	/** Settings whose property is in a group rather than named after them. */
	private static final Map<String, String> NESTED_PROPERTIES = Map.of("notificationPollInterval",
			PREFIX + "notifications.poll-interval", "driverProperties", PREFIX + "properties");

	private ManagedConnectionFactory() {
	}

	/**
	 * Build the managed connection.
	 * @param properties the managed connection properties
	 * @param connectionDetails where to connect
	 * @param defaultApplicationName the application name to use when none is configured
	 * @param metricsTracker what receives the connection's events for metrics
	 * @return the managed connection, not yet connected
	 * @throws ManagedConnectionConfigurationException if the configuration is invalid
	 */
	static ManagedConnection create(ManagedConnectionProperties properties, JdbcConnectionDetails connectionDetails,
			@Nullable String defaultApplicationName, MetricsTracker metricsTracker) {
		ManagedConnectionBuilder builder = builder(properties, connectionDetails, defaultApplicationName)
			.metricsTracker(metricsTracker);
		try {
			return builder.build();
		}
		catch (InvalidSettingException ex) {
			throw invalid(ex, connectionDetails);
		}
	}

	/**
	 * Return a builder set from the properties and connection details, unchecked.
	 * @param properties the managed connection properties
	 * @param connectionDetails where to connect
	 * @param defaultApplicationName the application name to use when none is configured
	 * @return the builder
	 */
	static ManagedConnectionBuilder builder(ManagedConnectionProperties properties,
			JdbcConnectionDetails connectionDetails, @Nullable String defaultApplicationName) {
		ManagedConnectionBuilder builder = ManagedConnection.builder()
			.url(connectionDetails.getJdbcUrl())
			.username(connectionDetails.getUsername())
			.password(connectionDetails.getPassword())
			.autoCommit(properties.isAutoCommit())
			.fair(properties.isFair())
			.bypassLimit(properties.getBypassLimit())
			.acquireTimeout(properties.getAcquireTimeout())
			.validationTimeout(properties.getValidationTimeout())
			.validationIdleThreshold(properties.getValidationIdleThreshold())
			.connectTimeout(properties.getConnectTimeout())
			.socketTimeout(properties.getSocketTimeout())
			.sessionReset(properties.getSessionReset())
			.leakDetectionThreshold(properties.getLeakDetectionThreshold())
			.maxHold(properties.getMaxHold())
			.notificationPollInterval(properties.getNotifications().getPollInterval())
			.serverNoticesLogLevel(properties.getServerNoticesLogLevel());
		String applicationName = StringUtils.hasText(properties.getApplicationName()) ? properties.getApplicationName()
				: defaultApplicationName;
		if (StringUtils.hasText(applicationName)) {
			builder.applicationName(applicationName);
		}
		Map<String, String> driverProperties = properties.getProperties();
		driverProperties.keySet().forEach(ManagedConnectionFactory::requireDriverProperty);
		Properties copy = new Properties();
		copy.putAll(driverProperties);
		return builder.properties(copy);
	}

	/**
	 * Return the property that holds a setting: {@code acquireTimeout} is
	 * {@code managed-connection.acquire-timeout}.
	 * @param setting the setting's name
	 * @return the property's name
	 */
	static String propertyOf(String setting) {
		String nested = NESTED_PROPERTIES.get(setting);
		return (nested != null) ? nested : PREFIX + WORD_START.matcher(setting).replaceAll("-").toLowerCase(Locale.ROOT);
	}

	private static ManagedConnectionConfigurationException invalid(InvalidSettingException ex,
			JdbcConnectionDetails connectionDetails) {
		Rule rule = ex.getRule();
		if (!ex.getSetting().equals("url")) {
			Problem problem = (rule == Rule.NOT_NEGATIVE) ? Problem.NEGATIVE : Problem.NOT_POSITIVE;
			return ManagedConnectionConfigurationException.forProperty(propertyOf(ex.getSetting()), ex.getValue(),
					problem);
		}
		Problem problem = (rule == Rule.REQUIRED) ? Problem.MISSING_URL : Problem.NOT_A_POSTGRESQL_URL;
		// The query string may carry a password.
		String url = StringUtils.hasText(connectionDetails.getJdbcUrl())
				? connectionDetails.getJdbcUrl().replaceFirst("\\?.*", "?...") : null;
		return (connectionDetails instanceof PropertiesJdbcConnectionDetails)
				? ManagedConnectionConfigurationException.forProperty("spring.datasource.url", url, problem)
				: ManagedConnectionConfigurationException.forConnectionDetails(connectionDetails.getClass(), url,
						problem);
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

}
