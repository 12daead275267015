package dev.managedconnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.postgresql.Driver;

/**
 * Opens physical connections, retrying with backoff until a deadline. Each attempt's connect and
 * login timeouts are cut to the time left, so a silent server cannot hold a caller past it.
 */
final class Connector {

	private static final long ONE_MILLISECOND_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final String[][] LIBPQ_NAMES = { { "PGHOST", "host" }, { "PGPORT", "port" },
			{ "PGDBNAME", "dbname" } };

	private final Driver driver = new Driver();

	private final String url;

	private final String maskedUrl;

	private final Properties properties;

	private final long connectTimeoutNanos;

	private final Map<String, String> connectionParameters;

	Connector(ManagedConnectionSettings settings) {
		this.properties = connectionProperties(settings);
		this.url = Secrets.moveUrlSecrets(settings.url(), this.properties);
		this.maskedUrl = Secrets.maskUrl(settings.url());
		this.connectTimeoutNanos = settings.connectTimeout().toNanos();
		this.connectionParameters = shownParameters(this.url, this.properties);
	}

	/**
	 * The parameters as pgjdbc reads them from the URL and the properties, under libpq's names
	 * where pgjdbc has names of its own, passwords masked.
	 */
	private static Map<String, String> shownParameters(String url, Properties properties) {
		Properties parsed = Driver.parseURL(url, properties);
		Map<String, String> shown = Secrets.maskedProperties((parsed != null) ? parsed : properties);
		for (String[] names : LIBPQ_NAMES) {
			String value = shown.remove(names[0]);
			if (value != null) {
				shown.put(names[1], value);
			}
		}
		return Collections.unmodifiableMap(shown);
	}

	/**
	 * Return the parameters connections are opened with, as {@link ServerInfo} shows them.
	 * @return the parameters, passwords masked
	 */
	Map<String, String> connectionParameters() {
		return this.connectionParameters;
	}

	private static Properties connectionProperties(ManagedConnectionSettings settings) {
		Properties properties = new Properties();
		// Only when pgjdbc may assume a 9.0+ server does it send ApplicationName in the startup
		// packet, where it is the session's default; otherwise it sends a SET that a session
		// reset's DISCARD ALL would undo.
		properties.setProperty("assumeMinServerVersion", "9.0");
		properties.putAll(settings.driverProperties());
		if (settings.username() != null) {
			properties.setProperty("user", settings.username());
		}
		if (settings.password() != null) {
			properties.setProperty("password", settings.password());
		}
		if (settings.applicationName() != null) {
			properties.setProperty("ApplicationName", settings.applicationName());
		}
		Duration socketTimeout = settings.socketTimeout();
		if (socketTimeout != null) {
			properties.setProperty("socketTimeout", Long.toString(Math.max(1, (socketTimeout.toMillis() + 999) / 1000)));
		}
		return properties;
	}

	/**
	 * Open a connection, retrying transient failures until the deadline.
	 * @param deadlineNanos the {@link System#nanoTime()} by which to give up
	 * @param earlier the last failure of an earlier call, or {@code null}: reported instead of
	 * a timeout when the deadline cut this call's only attempt short
	 * @param onFailure told of every failed attempt
	 * @return the open connection
	 * @throws SQLException the last failure once the deadline has passed, or at once when the
	 * server refused the credentials or the database does not exist
	 * @throws InterruptedException if interrupted while backing off
	 */
	PhysicalConnection connect(long deadlineNanos, @Nullable SQLException earlier, FailureListener onFailure)
			throws SQLException, InterruptedException {
		long backoffNanos = FIRST_BACKOFF_NANOS;
		SQLException previous = null;
		while (true) {
			long startNanos = System.nanoTime();
			long budgetNanos = Math.min(deadlineNanos - startNanos, this.connectTimeoutNanos);
			try {
				return wrap(open(budgetNanos));
			}
			catch (SQLException ex) {
				SQLException failure = ex;
				// pgjdbc's login timeout is whole milliseconds, rounded down: an attempt the
				// deadline ended may end up to a millisecond before its budget.
				if (budgetNanos < this.connectTimeoutNanos
						&& System.nanoTime() - startNanos >= budgetNanos - ONE_MILLISECOND_NANOS) {
					// The deadline, not the server, ended this attempt: the server's last answer
					// (too many connections, say) tells the user more than a timeout.
					if (previous != null) {
						previous.addSuppressed(ex);
						failure = previous;
					}
					else if (earlier != null) {
						// Shared with other callers: left as it is, lest it gather their timeouts.
						failure = earlier;
					}
				}
				onFailure.failed(failure);
				if (isPermanent(failure)) {
					throw new SQLNonTransientConnectionException(
							"Could not open a connection to " + this.maskedUrl + ": " + failure.getMessage(),
							failure.getSQLState(), failure);
				}
				long leftNanos = deadlineNanos - System.nanoTime();
				if (leftNanos <= 0) {
					throw failure;
				}
				previous = failure;
				TimeUnit.NANOSECONDS.sleep(Math.min(backoffNanos, leftNanos));
				backoffNanos = Math.min(backoffNanos * 2, MAX_BACKOFF_NANOS);
			}
		}
	}

	/**
	 * Learn what the physical connection needs to know of the opened connection, closing it if
	 * that fails: nothing else would.
	 */
	private static PhysicalConnection wrap(Connection connection) throws SQLException {
		try {
			return new PhysicalConnection(connection);
		}
		catch (SQLException | RuntimeException | Error ex) {
			try {
				connection.close();
			}
			catch (SQLException closeFailure) {
				ex.addSuppressed(closeFailure);
			}
			throw ex;
		}
	}

	private Connection open(long timeoutNanos) throws SQLException {
		Properties attempt = new Properties();
		attempt.putAll(this.properties);
		// pgjdbc takes the TCP connect timeout in whole seconds but the login timeout, which
		// bounds the whole attempt, in fractional seconds: that one keeps the deadline exactly.
		attempt.setProperty("connectTimeout",
				Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(timeoutNanos + 999_999_999L))));
		attempt.setProperty("loginTimeout",
				String.format(Locale.ROOT, "%.3f", Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)) / 1000.0));
		Connection connection = this.driver.connect(this.url, attempt);
		if (connection == null) {
			throw new SQLNonTransientConnectionException("'" + this.maskedUrl + "' is not a PostgreSQL JDBC URL", "08001");
		}
		return connection;
	}

	/**
	 * Wrong credentials and a missing database will not fix themselves within one acquire
	 * timeout; failing at once tells the user sooner. The next acquisition tries again.
	 */
	private static boolean isPermanent(SQLException ex) {
		String state = ex.getSQLState();
		return state != null && (state.startsWith("28") || state.equals("3D000"));
	}

	/**
	 * Told of each failed connection attempt.
	 */
	@FunctionalInterface
	interface FailureListener {

		void failed(@Nullable SQLException failure);

	}

}
