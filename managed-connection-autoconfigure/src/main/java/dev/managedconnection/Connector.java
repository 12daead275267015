package dev.managedconnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.postgresql.Driver;

/**
 * Opens physical connections, retrying with backoff until a deadline. Each attempt's connect and
 * login timeouts are cut to the time left, so a silent server cannot hold a caller past it.
 */
final class Connector {

	private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final Driver driver = new Driver();

	private final String url;

	private final String maskedUrl;

	private final Properties properties;

	private final long connectTimeoutNanos;

	Connector(String url, Properties properties, Duration connectTimeout) {
		this.properties = new Properties();
		this.properties.putAll(properties);
		this.url = Secrets.moveUrlSecrets(url, this.properties);
		this.maskedUrl = Secrets.maskUrl(url);
		this.connectTimeoutNanos = connectTimeout.toNanos();
	}

	/**
	 * Open a connection, retrying transient failures until the deadline.
	 * @param deadlineNanos the {@link System#nanoTime()} by which to give up
	 * @param onFailure told of every failed attempt
	 * @return the open connection
	 * @throws SQLException the last failure once the deadline has passed, or at once when the
	 * server refused the credentials or the database does not exist
	 * @throws InterruptedException if interrupted while backing off
	 */
	PhysicalConnection connect(long deadlineNanos, FailureListener onFailure) throws SQLException, InterruptedException {
		long backoffNanos = FIRST_BACKOFF_NANOS;
		while (true) {
			long remainingNanos = deadlineNanos - System.nanoTime();
			try {
				return new PhysicalConnection(open(Math.min(remainingNanos, this.connectTimeoutNanos)));
			}
			catch (SQLException ex) {
				onFailure.failed(ex);
				if (isPermanent(ex)) {
					throw new SQLNonTransientConnectionException(
							"Could not open a connection to " + this.maskedUrl + ": " + ex.getMessage(), ex.getSQLState(), ex);
				}
				long leftNanos = deadlineNanos - System.nanoTime();
				if (leftNanos <= 0) {
					throw ex;
				}
				TimeUnit.NANOSECONDS.sleep(Math.min(backoffNanos, leftNanos));
				backoffNanos = Math.min(backoffNanos * 2, MAX_BACKOFF_NANOS);
			}
		}
	}

	private Connection open(long timeoutNanos) throws SQLException {
		Properties attempt = new Properties();
		attempt.putAll(this.properties);
		String seconds = Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(timeoutNanos + 999_999_999L)));
		attempt.setProperty("connectTimeout", seconds);
		attempt.setProperty("loginTimeout", seconds);
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
