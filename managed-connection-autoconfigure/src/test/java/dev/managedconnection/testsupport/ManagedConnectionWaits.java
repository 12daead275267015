package dev.managedconnection.testsupport;

import java.time.Duration;
import java.util.function.Predicate;

import dev.managedconnection.ConnectionState;
import dev.managedconnection.ManagedConnection;

import static org.awaitility.Awaitility.await;

/**
 * Bounded waits, with Awaitility, for a {@link ManagedConnection} to reach a
 * {@link ManagedConnection#state() state}: so many threads waiting, somebody holding it. Each
 * fails after {@link #BOUND}, naming what it waited for.
 */
public final class ManagedConnectionWaits {

	/**
	 * How long a wait may take.
	 */
	public static final Duration BOUND = Duration.ofSeconds(30);

	private static final Duration POLL_INTERVAL = Duration.ofMillis(5);

	private ManagedConnectionWaits() {
	}

	/**
	 * Wait until exactly the given number of threads wait for the connection.
	 * @param managed the managed connection
	 * @param count the number of waiting threads
	 */
	public static void awaitWaitingThreads(ManagedConnection managed, int count) {
		awaitState(managed, count + " waiting thread(s)", (state) -> state.waitingThreads() == count);
	}

	/**
	 * Wait until some thread holds the connection (or holds the lock while it opens one).
	 * @param managed the managed connection
	 */
	public static void awaitHeld(ManagedConnection managed) {
		awaitState(managed, "somebody holding the connection", (state) -> state.holderThread() != null);
	}

	/**
	 * Wait until the thread of the given name holds the connection (or holds the lock while it
	 * opens one).
	 * @param managed the managed connection
	 * @param threadName the name of the holder's thread
	 */
	public static void awaitHeldBy(ManagedConnection managed, String threadName) {
		awaitState(managed, "'" + threadName + "' holding the connection",
				(state) -> threadName.equals(state.holderThread()));
	}

	/**
	 * Wait until the connection's state meets a condition.
	 * @param managed the managed connection
	 * @param description what is waited for, for the failure message
	 * @param condition the condition
	 */
	public static void awaitState(ManagedConnection managed, String description, Predicate<ConnectionState> condition) {
		await().alias(description)
			.atMost(BOUND)
			.pollInterval(POLL_INTERVAL)
			.until(managed::state, condition);
	}

}
