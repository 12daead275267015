package dev.managedconnection;

import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;

import org.jspecify.annotations.Nullable;
import org.postgresql.util.PSQLWarning;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the notices the server raised during a scope, as the
 * {@link ManagedConnectionSettings#serverNoticesLogLevel() server notices log level} says. The
 * holder reads them as JDBC warnings, on its statements (a statement's notices) and on its
 * connection (those of a commit, say); the release clears them, so the next holder never sees
 * them. A scope asks {@link #ifEnabled()} once, when it first hands out its connection: with the
 * logger off at the level, the scope carries no logger at all and pays nothing.
 */
final class ServerNotices {

	/** The name of the logger. */
	static final String LOGGER_NAME = "dev.managedconnection.ServerNotices";

	private static final Logger logger = LoggerFactory.getLogger(LOGGER_NAME);

	private final Object owner;

	private final ServerNoticesLogLevel level;

	ServerNotices(Object owner, ServerNoticesLogLevel level) {
		this.owner = owner;
		this.level = level;
	}

	/**
	 * Return this logger if the level is on now.
	 * @return this, or {@code null} when nothing would be logged
	 */
	@Nullable ServerNotices ifEnabled() {
		boolean enabled = switch (this.level) {
			case OFF -> false;
			case DEBUG -> logger.isDebugEnabled();
			case INFO -> logger.isInfoEnabled();
			case WARN -> logger.isWarnEnabled();
		};
		return enabled ? this : null;
	}

	/**
	 * Log a chain of warnings.
	 * @param warnings the first warning, or {@code null} for none
	 */
	void log(@Nullable SQLWarning warnings) {
		for (SQLWarning warning = warnings; warning != null; warning = warning.getNextWarning()) {
			logOne(warning);
		}
	}

	/**
	 * Log the warnings of a statement that has just run.
	 * @param statement the driver's statement
	 */
	void logWarningsOf(Statement statement) {
		try {
			log(statement.getWarnings());
		}
		catch (SQLException ex) {
			// Closed by a failure: the failure is what the holder hears of.
		}
	}

	private void logOne(SQLWarning warning) {
		ServerErrorMessage server = (warning instanceof PSQLWarning notice) ? notice.getServerErrorMessage() : null;
		String severity = (server != null && server.getSeverity() != null) ? server.getSeverity() : "WARNING";
		String message = "Server {} on {}: {} (SQLState {})";
		switch (this.level) {
			case DEBUG -> logger.debug(message, severity, this.owner, warning.getMessage(), warning.getSQLState());
			case INFO -> logger.info(message, severity, this.owner, warning.getMessage(), warning.getSQLState());
			case WARN -> logger.warn(message, severity, this.owner, warning.getMessage(), warning.getSQLState());
			case OFF -> {
			}
		}
	}

}
