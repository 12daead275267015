package dev.managedconnection;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a thread could not acquire the managed connection within its acquire timeout. The
 * message says who held the connection, for how long, its backend PID and how many threads
 * waited; the cause, if any, is the last error opening it. With leak detection on, the message
 * also names where the holder acquired the connection, and a suppressed exception carries that
 * stack trace.
 *
 * @since 0.1.0
 */
public class AcquireTimeoutException extends SQLTransientConnectionException {

	private static final long serialVersionUID = 1L;

	AcquireTimeoutException(String message, Throwable cause) {
		super(message, "08001", cause);
	}

	AcquireTimeoutException(String message) {
		super(message, "08001");
	}

	/**
	 * Create the exception for a thread that waited in vain.
	 * @param connection the managed connection, as it describes itself
	 * @param timeoutNanos how long the thread waited
	 * @param holder the thread that held the connection, or {@code null}
	 * @param heldNanos how long it had held it
	 * @param backendPid the backend of its connection, or {@code -1} when none is open
	 * @param site where the holder acquired, with leak detection on, or {@code null}
	 * @param waiting how many other threads waited
	 * @param lastConnectError the last error opening the connection, or {@code null}
	 * @return the exception
	 */
	static AcquireTimeoutException afterWaiting(Object connection, long timeoutNanos, @Nullable Thread holder,
			long heldNanos, int backendPid, HoldMonitor.@Nullable AcquisitionSite site, int waiting,
			@Nullable SQLException lastConnectError) {
		StringBuilder message = new StringBuilder("Timed out after ").append(TimeUnit.NANOSECONDS.toMillis(timeoutNanos))
			.append(" ms waiting for ")
			.append(connection);
		if (holder != null) {
			message.append(": held by thread '")
				.append(holder.getName())
				.append("' for ")
				.append(TimeUnit.NANOSECONDS.toMillis(heldNanos))
				.append(" ms");
			if (backendPid >= 0) {
				message.append(" (backend PID ").append(backendPid).append(')');
			}
			if (site != null) {
				message.append(", acquired at ").append(site.caller());
			}
		}
		message.append(", ").append(waiting).append(" other thread(s) waiting");
		AcquireTimeoutException timeout = (lastConnectError != null)
				? new AcquireTimeoutException(message.append("; last error opening the connection: ")
					.append(lastConnectError.getMessage())
					.toString(), lastConnectError)
				: new AcquireTimeoutException(message.toString());
		if (site != null) {
			timeout.addSuppressed(site);
		}
		return timeout;
	}

}
