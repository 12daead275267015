package dev.managedconnection.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.managedconnection.ManagedConnectionSettings;
import dev.managedconnection.ServerNoticesLogLevel;
import dev.managedconnection.SessionReset;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for the auto-configured
 * {@link dev.managedconnection.ManagedConnection ManagedConnection}. Where it connects to
 * comes from Boot's {@code JdbcConnectionDetails} or {@code spring.datasource.url},
 * {@code username} and {@code password}; everything else is under
 * {@code managed-connection.*}.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("managed-connection")
public class ManagedConnectionProperties {

	/**
	 * Whether to auto-configure the managed connection, its DataSource and
	 * '@ExclusiveConnection' support.
	 */
	private boolean enabled = true;

	/**
	 * Whether the connection is in auto-commit mode while a scope holds it. When off, the
	 * first statement, even a query, opens a transaction that the scope must end: use
	 * '@ExclusiveConnection(commit = true)', '@Transactional', or commit or roll back
	 * yourself. Outside a scope, each DataSource borrow is always auto-committed.
	 */
	private boolean autoCommit = ManagedConnectionSettings.DEFAULT_AUTO_COMMIT;

	/**
	 * Maximum time a caller waits for exclusive access to the connection. Must be greater
	 * than zero.
	 */
	private Duration acquireTimeout = ManagedConnectionSettings.DEFAULT_ACQUIRE_TIMEOUT;

	/**
	 * Whether waiting callers get the connection in the order they asked for it.
	 */
	private boolean fair = ManagedConnectionSettings.DEFAULT_FAIR;

	/**
	 * When fair, how many callers in a row that find the connection free may take it ahead of
	 * the waiting callers before the longest waiter is served. Zero is strictly first in,
	 * first out.
	 */
	private int bypassLimit = ManagedConnectionSettings.DEFAULT_BYPASS_LIMIT;

	/**
	 * Maximum time for the round trip that checks an idle connection before it is handed
	 * out. Must be greater than zero.
	 */
	private Duration validationTimeout = ManagedConnectionSettings.DEFAULT_VALIDATION_TIMEOUT;

	/**
	 * Idle time after which the connection is checked with a round trip before it is
	 * handed out. Zero checks it on every acquisition.
	 */
	private Duration validationIdleThreshold = ManagedConnectionSettings.DEFAULT_VALIDATION_IDLE_THRESHOLD;

	/**
	 * Maximum time to open the physical connection. Must be greater than zero.
	 */
	private Duration connectTimeout = ManagedConnectionSettings.DEFAULT_CONNECT_TIMEOUT;

	/**
	 * Maximum time to wait for the server on a socket read. When not set, or zero, reads
	 * wait without limit.
	 */
	private @Nullable Duration socketTimeout;

	/**
	 * Name reported to PostgreSQL as 'application_name'. Defaults to
	 * 'spring.application.name'.
	 */
	private @Nullable String applicationName;

	/**
	 * What to reset between two holders so that no session state passes from one to the next:
	 * 'none', 'jdbc' (the JDBC settings a holder changed) or 'discard-all' (those, then DISCARD
	 * ALL when the holder may have changed the session).
	 */
	private SessionReset sessionReset = ManagedConnectionSettings.DEFAULT_SESSION_RESET;

	/**
	 * Further pgjdbc connection properties, such as 'sslmode' or 'prepareThreshold', named
	 * as pgjdbc names them (case-sensitive). A name pgjdbc does not know fails startup.
	 */
	private Map<String, String> properties = new LinkedHashMap<>();

	/**
	 * Time a caller may hold the connection before a warning names the holder thread and
	 * where it acquired the connection. When not set, or zero, leaks are not detected.
	 */
	private @Nullable Duration leakDetectionThreshold;

	/**
	 * Time a caller may hold the connection before the statement it is running is
	 * cancelled. When not set, or zero, holds are not limited.
	 */
	private @Nullable Duration maxHold;

	/**
	 * Level at which the notices the server raises during a scope (RAISE NOTICE, RAISE
	 * WARNING, deprecation warnings) are logged, on the logger
	 * 'dev.managedconnection.ServerNotices': 'off', 'debug', 'info' or 'warn'. The holder reads
	 * them as JDBC warnings whatever the level.
	 */
	private ServerNoticesLogLevel serverNoticesLogLevel = ManagedConnectionSettings.DEFAULT_SERVER_NOTICES_LOG_LEVEL;

	private final Notifications notifications = new Notifications();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public boolean isAutoCommit() {
		return this.autoCommit;
	}

	public void setAutoCommit(boolean autoCommit) {
		this.autoCommit = autoCommit;
	}

	public Duration getAcquireTimeout() {
		return this.acquireTimeout;
	}

	public void setAcquireTimeout(Duration acquireTimeout) {
		this.acquireTimeout = acquireTimeout;
	}

	public boolean isFair() {
		return this.fair;
	}

	public void setFair(boolean fair) {
		this.fair = fair;
	}

	public int getBypassLimit() {
		return this.bypassLimit;
	}

	public void setBypassLimit(int bypassLimit) {
		this.bypassLimit = bypassLimit;
	}

	public Duration getValidationTimeout() {
		return this.validationTimeout;
	}

	public void setValidationTimeout(Duration validationTimeout) {
		this.validationTimeout = validationTimeout;
	}

	public Duration getValidationIdleThreshold() {
		return this.validationIdleThreshold;
	}

	public void setValidationIdleThreshold(Duration validationIdleThreshold) {
		this.validationIdleThreshold = validationIdleThreshold;
	}

	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public @Nullable Duration getSocketTimeout() {
		return this.socketTimeout;
	}

	public void setSocketTimeout(@Nullable Duration socketTimeout) {
		this.socketTimeout = socketTimeout;
	}

	public @Nullable String getApplicationName() {
		return this.applicationName;
	}

	public void setApplicationName(@Nullable String applicationName) {
		this.applicationName = applicationName;
	}

	public SessionReset getSessionReset() {
		return this.sessionReset;
	}

	public void setSessionReset(SessionReset sessionReset) {
		this.sessionReset = sessionReset;
	}

	public Map<String, String> getProperties() {
		return this.properties;
	}

	public void setProperties(Map<String, String> properties) {
		this.properties = properties;
	}

	public @Nullable Duration getLeakDetectionThreshold() {
		return this.leakDetectionThreshold;
	}

	public void setLeakDetectionThreshold(@Nullable Duration leakDetectionThreshold) {
		this.leakDetectionThreshold = leakDetectionThreshold;
	}

	public @Nullable Duration getMaxHold() {
		return this.maxHold;
	}

	public void setMaxHold(@Nullable Duration maxHold) {
		this.maxHold = maxHold;
	}

	public ServerNoticesLogLevel getServerNoticesLogLevel() {
		return this.serverNoticesLogLevel;
	}

	public void setServerNoticesLogLevel(ServerNoticesLogLevel serverNoticesLogLevel) {
		this.serverNoticesLogLevel = serverNoticesLogLevel;
	}

	public Notifications getNotifications() {
		return this.notifications;
	}

	/**
	 * Notifications of channels the managed connection listens on.
	 */
	public static class Notifications {

		/**
		 * How often to look for notifications while no thread holds or waits for the
		 * connection; a holder's release looks for them too.
		 */
		private Duration pollInterval = ManagedConnectionSettings.DEFAULT_NOTIFICATION_POLL_INTERVAL;

		public Duration getPollInterval() {
			return this.pollInterval;
		}

		public void setPollInterval(Duration pollInterval) {
			this.pollInterval = pollInterval;
		}

	}

}
