package dev.managedconnection.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Thrown at startup when the configuration of the auto-configured
 * {@link dev.managedconnection.ManagedConnection ManagedConnection} is invalid;
 * {@link ManagedConnectionFailureAnalyzer} turns it into a report that names the property
 * and says how to fix it.
 */
@SuppressWarnings("serial")
final class ManagedConnectionConfigurationException extends RuntimeException {

	private final String property;

	private final @Nullable String value;

	private final Problem problem;

	private final @Nullable String connectionDetailsType;

	private final @Nullable String suggestion;

	private ManagedConnectionConfigurationException(String property, @Nullable String value, Problem problem,
			@Nullable String connectionDetailsType, @Nullable String suggestion) {
		super(message(property, value, problem, connectionDetailsType));
		this.property = property;
		this.value = value;
		this.problem = problem;
		this.connectionDetailsType = connectionDetailsType;
		this.suggestion = suggestion;
	}

	/**
	 * Create an exception for a property with an invalid value.
	 * @param property the property name
	 * @param value the invalid value, or {@code null} if it is not set
	 * @param problem what is wrong with it
	 * @return the exception
	 */
	static ManagedConnectionConfigurationException forProperty(String property, @Nullable Object value,
			Problem problem) {
		return new ManagedConnectionConfigurationException(property, format(value), problem, null, null);
	}

	/**
	 * Create an exception for a key of {@code managed-connection.properties} that pgjdbc does
	 * not know. The value is not shown: it may be a password.
	 * @param key the key
	 * @param suggestion the pgjdbc property the key probably meant, or {@code null}
	 * @return the exception
	 */
	static ManagedConnectionConfigurationException forUnknownDriverProperty(String key, @Nullable String suggestion) {
		return new ManagedConnectionConfigurationException("managed-connection.properties." + key, null,
				Problem.UNKNOWN_DRIVER_PROPERTY, null, suggestion);
	}

	private static @Nullable String format(@Nullable Object value) {
		if (value instanceof Duration duration) {
			long millis = duration.toMillis();
			return (millis % 1000 == 0) ? (millis / 1000) + "s" : millis + "ms";
		}
		return (value != null) ? value.toString() : null;
	}

	/**
	 * Create an exception for a URL supplied by a {@code JdbcConnectionDetails} bean.
	 * @param connectionDetailsType the class of the connection details
	 * @param url the URL, or {@code null} if it supplied none
	 * @param problem what is wrong with it
	 * @return the exception
	 */
	static ManagedConnectionConfigurationException forConnectionDetails(Class<?> connectionDetailsType,
			@Nullable String url, Problem problem) {
		return new ManagedConnectionConfigurationException("JdbcConnectionDetails.getJdbcUrl()", url, problem,
				connectionDetailsType.getName(), null);
	}

	private static String message(String property, @Nullable String value, Problem problem,
			@Nullable String connectionDetailsType) {
		String subject = (connectionDetailsType != null)
				? "The JDBC URL of the connection details '" + connectionDetailsType + "'" : "'" + property + "'";
		String shownValue = (value != null) ? " ('" + value + "')" : "";
		return subject + shownValue + " " + problem.reason;
	}

	/**
	 * Return the name of the invalid property, or a description of where the value came from
	 * when {@link #getConnectionDetailsType()} is not {@code null}.
	 * @return the property name
	 */
	String getProperty() {
		return this.property;
	}

	@Nullable String getValue() {
		return this.value;
	}

	Problem getProblem() {
		return this.problem;
	}

	/**
	 * Return the class name of the {@code JdbcConnectionDetails} bean that supplied the
	 * invalid URL, or {@code null} if it came from a property.
	 * @return the connection details class name, or {@code null}
	 */
	@Nullable String getConnectionDetailsType() {
		return this.connectionDetailsType;
	}

	/**
	 * Return the name the invalid property probably meant, if one is close.
	 * @return the suggested name, or {@code null}
	 */
	@Nullable String getSuggestion() {
		return this.suggestion;
	}

	/**
	 * What is wrong with a value.
	 */
	enum Problem {

		/** No URL was configured. */
		MISSING_URL("is not set: the managed connection needs a PostgreSQL JDBC URL"),

		/** The URL is for another database. */
		NOT_A_POSTGRESQL_URL("is not a PostgreSQL JDBC URL: it must start with 'jdbc:postgresql:'"),

		/** A duration that must be greater than zero is not. */
		NOT_POSITIVE("must be a duration greater than zero"),

		/** A duration that may be zero is negative. */
		NEGATIVE("must not be negative"),

		/** A key of the pgjdbc property map is not a pgjdbc connection property. */
		UNKNOWN_DRIVER_PROPERTY("is not a pgjdbc connection property, so pgjdbc would ignore it");

		private final String reason;

		Problem(String reason) {
			this.reason = reason;
		}

		String reason() {
			return this.reason;
		}

	}

}
