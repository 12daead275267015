package dev.managedconnection.autoconfigure;

import dev.managedconnection.autoconfigure.ManagedConnectionConfigurationException.Problem;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * {@link AbstractFailureAnalyzer} that reports a
 * {@link ManagedConnectionConfigurationException}: which property is wrong, and what to set
 * it to.
 */
class ManagedConnectionFailureAnalyzer extends AbstractFailureAnalyzer<ManagedConnectionConfigurationException> {

	private static final String EXAMPLE_URL = "'jdbc:postgresql://localhost:5432/mydb'";

	private static final String PGJDBC_PROPERTIES = "https://jdbc.postgresql.org/documentation/use/#connection-parameters";

	private static final String DISABLE = "If this application should not use a managed connection, set "
			+ "'managed-connection.enabled' to false.";

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ManagedConnectionConfigurationException cause) {
		String description = "The managed connection could not be configured: " + cause.getMessage() + ".";
		return new FailureAnalysis(description, action(cause), cause);
	}

	private static String action(ManagedConnectionConfigurationException cause) {
		String property = cause.getProperty();
		Problem problem = cause.getProblem();
		if (cause.getConnectionDetailsType() != null) {
			return "Connect the application to a PostgreSQL service (the connection details '"
					+ cause.getConnectionDetailsType() + "' come from a service connection such as Testcontainers "
					+ "or Docker Compose), or define your own ManagedConnection bean. " + DISABLE;
		}
		return switch (problem) {
			case MISSING_URL -> "Set '" + property + "' to a PostgreSQL JDBC URL such as " + EXAMPLE_URL
					+ ", with 'spring.datasource.username' and 'spring.datasource.password' if the server "
					+ "needs them. " + DISABLE;
			case NOT_A_POSTGRESQL_URL -> "Set '" + property + "' to a PostgreSQL JDBC URL such as " + EXAMPLE_URL
					+ ": managed-connection supports PostgreSQL only. " + DISABLE;
			case NOT_POSITIVE -> "Set '" + property + "' to a duration greater than zero, such as '10s' or "
					+ "'500ms', or remove it to use the default.";
			case NEGATIVE -> "Set '" + property + "' to zero or a positive duration, such as '500ms', or remove "
					+ "it to use the default.";
			case UNKNOWN_DRIVER_PROPERTY -> unknownDriverPropertyAction(cause);
		};
	}

	private static String unknownDriverPropertyAction(ManagedConnectionConfigurationException cause) {
		StringBuilder action = new StringBuilder();
		if (cause.getSuggestion() != null) {
			action.append("Did you mean 'managed-connection.properties.").append(cause.getSuggestion()).append("'? ");
		}
		return action.append("Use one of pgjdbc's connection properties (")
			.append(PGJDBC_PROPERTIES)
			.append("), spelled as pgjdbc spells it (names are case-sensitive), or remove '")
			.append(cause.getProperty())
			.append("'. Spring Boot lower-cases map keys bound from environment variables: set a property whose "
					+ "name has capitals in the JDBC URL or in SPRING_APPLICATION_JSON instead.")
			.toString();
	}

}
