package dev.managedconnection;

import java.sql.SQLTransientConnectionException;

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

	AcquireTimeoutException(String message, Throwable cause) {
		super(message, "08001", cause);
	}

	AcquireTimeoutException(String message) {
		super(message, "08001");
	}

}
