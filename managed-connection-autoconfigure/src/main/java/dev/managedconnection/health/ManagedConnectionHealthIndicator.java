package dev.managedconnection.health;

import java.sql.SQLException;
import java.time.Duration;

import dev.managedconnection.AcquireTimeoutException;
import dev.managedconnection.ConnectionState;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ScopeOptions;
import dev.managedconnection.ServerInfo;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@link HealthIndicator} for a {@link ManagedConnection}: up with the backend PID, server
 * version, transaction status, holder thread, how long it has held the connection and how many
 * threads wait; down with the error when the database cannot be reached.
 * <p>
 * A check never queues behind a busy holder. While another thread holds or waits for the
 * connection the indicator reports from {@link ManagedConnection#state()} without waiting (up
 * when a physical connection is open, unknown while the holder is still opening one). Otherwise
 * it acquires the connection for at most the check timeout, one second by default, and runs
 * {@link java.sql.Connection#isValid(int)}; a connection that fails it is closed, to be replaced
 * on next use.
 *
 * @since 0.1.0
 */
public class ManagedConnectionHealthIndicator implements HealthIndicator {

	private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

	private final ManagedConnection connection;

	private final ScopeOptions checkOptions;

	private final int validationSeconds;

	/**
	 * Create an indicator that checks for at most one second.
	 * @param connection the managed connection to check
	 */
	public ManagedConnectionHealthIndicator(ManagedConnection connection) {
		this(connection, DEFAULT_TIMEOUT);
	}

	/**
	 * Create an indicator with the given check timeout.
	 * @param connection the managed connection to check
	 * @param timeout how long a check may wait for the connection, and (rounded up to whole
	 * seconds) how long the validation round trip may take
	 */
	public ManagedConnectionHealthIndicator(ManagedConnection connection, Duration timeout) {
		this.connection = connection;
		this.checkOptions = ScopeOptions.DEFAULT.withAcquireTimeout(timeout);
		this.validationSeconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
	}

	@Override
	public Health health() {
		if (heldByAnotherThread()) {
			return fromState(this.connection.state());
		}
		boolean valid;
		try {
			valid = this.connection.execute(this.checkOptions, (checked) -> {
				boolean answered = checked.isValid(this.validationSeconds);
				if (!answered) {
					// Held by this thread, so the physical connection closes as the scope ends
					// and the next use opens a new one.
					this.connection.resetConnection();
				}
				return answered;
			});
		}
		catch (AcquireTimeoutException ex) {
			// Another thread took the connection first: it is in use, not down.
			if (heldByAnotherThread()) {
				return fromState(this.connection.state());
			}
			return down(ex);
		}
		catch (SQLException | RuntimeException ex) {
			return down(ex);
		}
		ConnectionState state = this.connection.state();
		if (!valid) {
			return withDetails(Health.down(), state)
				.withDetail("error", "The connection did not answer a validation round trip within "
						+ this.validationSeconds + " s")
				.build();
		}
		return withDetails(Health.up(), state).build();
	}

	private boolean heldByAnotherThread() {
		ConnectionState state = this.connection.state();
		return (state.holderThread() != null || state.waitingThreads() > 0) && !this.connection.isHeldByCurrentThread();
	}

	private Health fromState(ConnectionState state) {
		Health.Builder builder = state.open() ? Health.up() : Health.unknown();
		return withDetails(builder, state).build();
	}

	private Health down(Exception ex) {
		ConnectionState state = this.connection.state();
		return Health.down(ex).withDetail("waitingThreads", state.waitingThreads()).build();
	}

	private Health.Builder withDetails(Health.Builder builder, ConnectionState state) {
		ServerInfo server = this.connection.serverInfo();
		if (server.backendPid() >= 0) {
			// Nothing of the connection parameters: the health endpoint may be public.
			builder.withDetail("backendPid", server.backendPid());
			builder.withDetail("serverVersion", server.serverVersion());
		}
		builder.withDetail("transactionStatus", state.status());
		if (state.holderThread() != null) {
			builder.withDetail("holderThread", state.holderThread());
			builder.withDetail("heldFor", state.heldFor().toMillis() + " ms");
		}
		return builder.withDetail("waitingThreads", state.waitingThreads());
	}

}
