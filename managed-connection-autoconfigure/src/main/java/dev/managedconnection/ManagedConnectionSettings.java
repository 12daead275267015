package dev.managedconnection;

import java.time.Duration;
import java.util.Properties;

import dev.managedconnection.InvalidSettingException.Rule;
import org.jspecify.annotations.Nullable;

/**
 * The validated settings of a {@link ManagedConnection}: what {@link ManagedConnectionBuilder}
 * builds and what the Spring Boot properties map to. The defaults are the constants below, the
 * only place they are written; each component is checked once, here, and an
 * {@link InvalidSettingException} names the one that is wrong. {@link #toString()} masks the
 * password, wherever it was given.
 *
 * @param url the JDBC URL, starting with {@code jdbc:postgresql:}
 * @param username the user name, or {@code null} for the driver's default
 * @param password the password, or {@code null} for none
 * @param driverProperties further pgjdbc connection properties (a copy is kept)
 * @param autoCommit whether each statement commits itself
 * @param acquireTimeout how long a thread waits for the connection, including opening it
 * @param fair whether waiting threads get the connection in arrival order
 * @param bypassLimit when fair, how many threads in a row that find the connection free may
 * take it ahead of the waiting threads before the longest waiter is served; 0 for strict
 * arrival order
 * @param validationTimeout how long a validation round trip may take
 * @param validationIdleThreshold how long the connection may sit unused before it is
 * validated when next acquired; zero validates on every acquisition
 * @param connectTimeout the most one connection attempt may take
 * @param socketTimeout how long a read from the server may block, or {@code null} for no limit
 * @param applicationName the name the server shows in {@code pg_stat_activity}, or {@code null}
 * @param sessionReset what is reset between two holders
 * @param leakDetectionThreshold how long a scope may hold the connection before a warning, or
 * {@code null} for never
 * @param maxHold how long a scope may hold the connection before its statement is cancelled,
 * or {@code null} for never
 * @param notificationPollInterval how often notifications are looked for while no thread holds
 * or waits for the connection, when a channel is listened on
 * @param serverNoticesLogLevel at which level the notices the server raises during a scope are
 * logged, on the logger {@code dev.managedconnection.ServerNotices}
 * @since 0.1.0
 */
public record ManagedConnectionSettings(String url, @Nullable String username, @Nullable String password,
		Properties driverProperties, boolean autoCommit, Duration acquireTimeout, boolean fair,
		int bypassLimit, Duration validationTimeout, Duration validationIdleThreshold, Duration connectTimeout,
		@Nullable Duration socketTimeout, @Nullable String applicationName, SessionReset sessionReset,
		@Nullable Duration leakDetectionThreshold, @Nullable Duration maxHold, Duration notificationPollInterval,
		ServerNoticesLogLevel serverNoticesLogLevel) {

	/** Off, as in psycopg2: the first statement opens a transaction the holder must end. */
	public static final boolean DEFAULT_AUTO_COMMIT = false;

	/** 30 seconds. */
	public static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(30);

	/** First come, first served. */
	public static final boolean DEFAULT_FAIR = true;

	/**
	 * 8: a thread that releases and asks again at once keeps a free connection instead of
	 * parking behind a waiter that has yet to be scheduled, and the longest waiter is still
	 * served after at most 8 others. On the web workload of docs/benchmarks.md it measured
	 * 1.21 times the throughput of strict arrival order on two CPUs, as much as HikariCP with
	 * one connection.
	 */
	public static final int DEFAULT_BYPASS_LIMIT = 8;

	/** 5 seconds. */
	public static final Duration DEFAULT_VALIDATION_TIMEOUT = Duration.ofSeconds(5);

	/** 500 milliseconds. */
	public static final Duration DEFAULT_VALIDATION_IDLE_THRESHOLD = Duration.ofMillis(500);

	/** 10 seconds. */
	public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

	/** {@link SessionReset#DISCARD_ALL}. */
	public static final SessionReset DEFAULT_SESSION_RESET = SessionReset.DISCARD_ALL;

	/** 50 milliseconds. */
	public static final Duration DEFAULT_NOTIFICATION_POLL_INTERVAL = Duration.ofMillis(50);

	/** {@link ServerNoticesLogLevel#DEBUG}. */
	public static final ServerNoticesLogLevel DEFAULT_SERVER_NOTICES_LOG_LEVEL = ServerNoticesLogLevel.DEBUG;

	/**
	 * Check every setting and keep a copy of the driver properties.
	 * @throws InvalidSettingException naming the first setting that is missing or out of range
	 */
	public ManagedConnectionSettings {
		requireUrl(url);
		Properties copy = new Properties();
		if (driverProperties != null) {
			copy.putAll(driverProperties);
		}
		driverProperties = copy;
		positive("acquireTimeout", acquireTimeout);
		if (bypassLimit < 0) {
			throw new InvalidSettingException("bypassLimit", bypassLimit, Rule.NOT_NEGATIVE);
		}
		positive("validationTimeout", validationTimeout);
		if (validationIdleThreshold == null) {
			throw new InvalidSettingException("validationIdleThreshold", null, Rule.REQUIRED);
		}
		notNegative("validationIdleThreshold", validationIdleThreshold);
		positive("connectTimeout", connectTimeout);
		socketTimeout = offWhenZero(notNegative("socketTimeout", socketTimeout));
		if (sessionReset == null) {
			throw new InvalidSettingException("sessionReset", null, Rule.REQUIRED);
		}
		leakDetectionThreshold = offWhenZero(notNegative("leakDetectionThreshold", leakDetectionThreshold));
		maxHold = offWhenZero(notNegative("maxHold", maxHold));
		positive("notificationPollInterval", notificationPollInterval);
		if (serverNoticesLogLevel == null) {
			throw new InvalidSettingException("serverNoticesLogLevel", null, Rule.REQUIRED);
		}
	}

	@Override
	public Properties driverProperties() {
		Properties copy = new Properties();
		copy.putAll(this.driverProperties);
		return copy;
	}

	@Override
	public String toString() {
		return "ManagedConnectionSettings[url=" + Secrets.maskUrl(this.url) + ", username=" + this.username
				+ ", password=" + ((this.password != null) ? "******" : null) + ", driverProperties="
				+ Secrets.maskProperties(this.driverProperties) + ", autoCommit=" + this.autoCommit + ", acquireTimeout="
				+ this.acquireTimeout + ", fair=" + this.fair + ", bypassLimit=" + this.bypassLimit
				+ ", validationTimeout=" + this.validationTimeout
				+ ", validationIdleThreshold=" + this.validationIdleThreshold + ", connectTimeout=" + this.connectTimeout
				+ ", socketTimeout=" + this.socketTimeout + ", applicationName=" + this.applicationName
				+ ", sessionReset=" + this.sessionReset + ", leakDetectionThreshold=" + this.leakDetectionThreshold
				+ ", maxHold=" + this.maxHold + ", notificationPollInterval=" + this.notificationPollInterval
				+ ", serverNoticesLogLevel=" + this.serverNoticesLogLevel + "]";
	}

	/**
	 * Check a JDBC URL as the settings do.
	 * @param url the URL
	 * @return the URL
	 * @throws InvalidSettingException if it is missing or not a PostgreSQL URL
	 */
	static String requireUrl(@Nullable String url) {
		if (url == null || url.isBlank()) {
			throw new InvalidSettingException("url", null, Rule.REQUIRED);
		}
		if (!url.startsWith("jdbc:postgresql:")) {
			throw new InvalidSettingException("url", Secrets.maskUrl(url), Rule.POSTGRESQL_URL);
		}
		return url;
	}

	private static void positive(String setting, @Nullable Duration value) {
		if (value == null) {
			throw new InvalidSettingException(setting, null, Rule.REQUIRED);
		}
		if (value.isNegative() || value.isZero()) {
			throw new InvalidSettingException(setting, value, Rule.POSITIVE);
		}
	}

	private static @Nullable Duration notNegative(String setting, @Nullable Duration value) {
		if (value != null && value.isNegative()) {
			throw new InvalidSettingException(setting, value, Rule.NOT_NEGATIVE);
		}
		return value;
	}

	private static @Nullable Duration offWhenZero(@Nullable Duration value) {
		return (value != null && value.isZero()) ? null : value;
	}

}
