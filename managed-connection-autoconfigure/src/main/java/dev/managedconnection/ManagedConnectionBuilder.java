package dev.managedconnection;

import java.time.Duration;
import java.util.Properties;

import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link ManagedConnection}; start with {@link ManagedConnection#builder()}. Each setting
 * starts at its default, a constant of {@link ManagedConnectionSettings}, and is checked when
 * the settings are built.
 *
 * @since 0.1.0
 */
public final class ManagedConnectionBuilder {

	private @Nullable String url;

	private @Nullable String username;

	private @Nullable String password;

	private final Properties properties = new Properties();

	private boolean autoCommit = ManagedConnectionSettings.DEFAULT_AUTO_COMMIT;

	private Duration acquireTimeout = ManagedConnectionSettings.DEFAULT_ACQUIRE_TIMEOUT;

	private boolean fair = ManagedConnectionSettings.DEFAULT_FAIR;

	private int bypassLimit = ManagedConnectionSettings.DEFAULT_BYPASS_LIMIT;

	private Duration validationTimeout = ManagedConnectionSettings.DEFAULT_VALIDATION_TIMEOUT;

	private Duration validationIdleThreshold = ManagedConnectionSettings.DEFAULT_VALIDATION_IDLE_THRESHOLD;

	private Duration connectTimeout = ManagedConnectionSettings.DEFAULT_CONNECT_TIMEOUT;

	private @Nullable Duration socketTimeout;

	private @Nullable String applicationName;

	private SessionReset sessionReset = ManagedConnectionSettings.DEFAULT_SESSION_RESET;

	private @Nullable Duration leakDetectionThreshold;

	private @Nullable Duration maxHold;

	private Duration notificationPollInterval = ManagedConnectionSettings.DEFAULT_NOTIFICATION_POLL_INTERVAL;

	private ServerNoticesLogLevel serverNoticesLogLevel = ManagedConnectionSettings.DEFAULT_SERVER_NOTICES_LOG_LEVEL;

	private MetricsTracker metricsTracker = MetricsTracker.NONE;

	ManagedConnectionBuilder() {
	}

	/**
	 * Set the JDBC URL; it must start with {@code jdbc:postgresql:}.
	 * @param url the JDBC URL
	 * @return this builder
	 */
	public ManagedConnectionBuilder url(String url) {
		this.url = url;
		return this;
	}

	/**
	 * Set the user name.
	 * @param username the user name, or {@code null} for the driver's default
	 * @return this builder
	 */
	public ManagedConnectionBuilder username(@Nullable String username) {
		this.username = username;
		return this;
	}

	/**
	 * Set the password.
	 * @param password the password, or {@code null} for none
	 * @return this builder
	 */
	public ManagedConnectionBuilder password(@Nullable String password) {
		this.password = password;
		return this;
	}

	/**
	 * Add pgjdbc connection properties, such as {@code sslmode} or {@code prepareThreshold}.
	 * @param properties the properties
	 * @return this builder
	 */
	public ManagedConnectionBuilder properties(Properties properties) {
		this.properties.putAll(properties);
		return this;
	}

	/**
	 * Set whether each statement commits itself. Off by default, as in psycopg2: the first
	 * statement opens a transaction the holder must end.
	 * @param autoCommit whether autocommit is on
	 * @return this builder
	 */
	public ManagedConnectionBuilder autoCommit(boolean autoCommit) {
		this.autoCommit = autoCommit;
		return this;
	}

	/**
	 * Set how long a thread waits for the connection, including opening it. 30 seconds by default.
	 * @param acquireTimeout the timeout, positive
	 * @return this builder
	 */
	public ManagedConnectionBuilder acquireTimeout(Duration acquireTimeout) {
		this.acquireTimeout = acquireTimeout;
		return this;
	}

	/**
	 * Set whether waiting threads get the connection in arrival order. On by default.
	 * @param fair whether waiters are served first in, first out
	 * @return this builder
	 */
	public ManagedConnectionBuilder fair(boolean fair) {
		this.fair = fair;
		return this;
	}

	/**
	 * Set, for a fair connection, how many threads in a row that find the connection free may
	 * take it ahead of the waiting threads before the longest waiter is served. 8 by default;
	 * 0 is strictly first in, first out.
	 * @param bypassLimit the limit, not negative
	 * @return this builder
	 */
	public ManagedConnectionBuilder bypassLimit(int bypassLimit) {
		this.bypassLimit = bypassLimit;
		return this;
	}

	/**
	 * Set how long a validation round trip may take. 5 seconds by default; rounded up to whole
	 * seconds, as JDBC's {@code isValid} takes.
	 * @param validationTimeout the timeout, positive
	 * @return this builder
	 */
	public ManagedConnectionBuilder validationTimeout(Duration validationTimeout) {
		this.validationTimeout = validationTimeout;
		return this;
	}

	/**
	 * Set how long the connection may sit unused before it is validated with a round trip when
	 * next acquired. 500 ms by default; zero validates on every acquisition.
	 * @param validationIdleThreshold the threshold, zero or positive
	 * @return this builder
	 */
	public ManagedConnectionBuilder validationIdleThreshold(Duration validationIdleThreshold) {
		this.validationIdleThreshold = validationIdleThreshold;
		return this;
	}

	/**
	 * Set the most one connection attempt may take, connecting and logging in. 10 seconds by
	 * default; cut to the time left before the acquire deadline.
	 * @param connectTimeout the timeout, positive
	 * @return this builder
	 */
	public ManagedConnectionBuilder connectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
		return this;
	}

	/**
	 * Set how long a read from the server may block before the connection is considered
	 * broken. None by default.
	 * @param socketTimeout the timeout, or {@code null} or zero for none
	 * @return this builder
	 */
	public ManagedConnectionBuilder socketTimeout(@Nullable Duration socketTimeout) {
		this.socketTimeout = socketTimeout;
		return this;
	}

	/**
	 * Set the application name the server shows in {@code pg_stat_activity}.
	 * @param applicationName the name, or {@code null} for the driver's default
	 * @return this builder
	 */
	public ManagedConnectionBuilder applicationName(@Nullable String applicationName) {
		this.applicationName = applicationName;
		return this;
	}

	/**
	 * Set what is reset between two holders so that no session state passes from one to the
	 * next. {@link SessionReset#DISCARD_ALL} by default.
	 * @param sessionReset the reset mode
	 * @return this builder
	 */
	public ManagedConnectionBuilder sessionReset(SessionReset sessionReset) {
		this.sessionReset = sessionReset;
		return this;
	}

	/**
	 * Set how long a scope may hold the connection before a warning names the holder thread and
	 * where it acquired the connection; an info message follows when it releases. Off by
	 * default. When on, every acquisition records its stack trace.
	 * @param leakDetectionThreshold the threshold, or {@code null} or zero for off
	 * @return this builder
	 */
	public ManagedConnectionBuilder leakDetectionThreshold(@Nullable Duration leakDetectionThreshold) {
		this.leakDetectionThreshold = leakDetectionThreshold;
		return this;
	}

	/**
	 * Set how long a scope may hold the connection before the statement it is running is
	 * cancelled, as {@link ManagedConnection#cancel()} does. Off by default. A holder busy
	 * outside the database keeps the connection: nothing is running to cancel.
	 * @param maxHold the maximum hold, or {@code null} or zero for off
	 * @return this builder
	 */
	public ManagedConnectionBuilder maxHold(@Nullable Duration maxHold) {
		this.maxHold = maxHold;
		return this;
	}

	/**
	 * Set how often notifications are looked for while no thread holds or waits for the
	 * connection, when a channel is {@link ManagedConnection#listen listened} on; a holder's
	 * release looks for them too. 50 ms by default.
	 * @param notificationPollInterval the interval, positive
	 * @return this builder
	 */
	public ManagedConnectionBuilder notificationPollInterval(Duration notificationPollInterval) {
		this.notificationPollInterval = notificationPollInterval;
		return this;
	}

	/**
	 * Set at which level the notices the server raises during a scope ({@code RAISE NOTICE},
	 * {@code RAISE WARNING}, deprecation warnings) are logged, on the logger
	 * {@code dev.managedconnection.ServerNotices}. {@link ServerNoticesLogLevel#DEBUG} by default.
	 * The holder reads them as JDBC warnings whatever the level; the next holder never does.
	 * @param serverNoticesLogLevel the level, or {@link ServerNoticesLogLevel#OFF}
	 * @return this builder
	 */
	public ManagedConnectionBuilder serverNoticesLogLevel(ServerNoticesLogLevel serverNoticesLogLevel) {
		this.serverNoticesLogLevel = serverNoticesLogLevel;
		return this;
	}

	/**
	 * Set what receives the connection's events for metrics. None by default.
	 * @param metricsTracker the tracker
	 * @return this builder
	 */
	public ManagedConnectionBuilder metricsTracker(MetricsTracker metricsTracker) {
		this.metricsTracker = metricsTracker;
		return this;
	}

	/**
	 * Check the settings without building the managed connection.
	 * @return the settings
	 * @throws InvalidSettingException if a setting is missing or out of range
	 */
	public ManagedConnectionSettings settings() {
		return new ManagedConnectionSettings(ManagedConnectionSettings.requireUrl(this.url), this.username, this.password, this.properties, this.autoCommit,
				this.acquireTimeout, this.fair, this.bypassLimit, this.validationTimeout, this.validationIdleThreshold,
				this.connectTimeout, this.socketTimeout, this.applicationName, this.sessionReset,
				this.leakDetectionThreshold, this.maxHold, this.notificationPollInterval, this.serverNoticesLogLevel);
	}

	/**
	 * Build the managed connection. No connection is opened until first use.
	 * @return the managed connection
	 * @throws InvalidSettingException if a setting is missing or out of range
	 */
	public ManagedConnection build() {
		return ManagedConnection.of(settings(), this.metricsTracker);
	}

}
