package dev.managedconnection;

/**
 * At which level a {@link ManagedConnection} logs the notices the server raises during a scope
 * ({@code RAISE NOTICE}, {@code RAISE WARNING}, deprecation warnings), on the logger
 * {@value ServerNotices#LOGGER_NAME}. The holder sees them either way, as JDBC warnings.
 *
 * @since 0.1.0
 */
public enum ServerNoticesLogLevel {

	/** Not logged. */
	OFF,

	/** Logged at DEBUG. The default. */
	DEBUG,

	/** Logged at INFO. */
	INFO,

	/** Logged at WARN. */
	WARN

}
