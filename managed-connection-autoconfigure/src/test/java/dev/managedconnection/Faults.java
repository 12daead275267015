package dev.managedconnection;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Helpers for fault tests: looking through exception chains and timing calls. Killing backends
 * and waiting until they are gone is {@link dev.managedconnection.testsupport.Backends}.
 */
final class Faults {

	private Faults() {
	}

	/**
	 * Return every throwable reachable from the given one: causes, suppressed exceptions and
	 * chained SQL exceptions.
	 * @param failure the failure
	 * @return the throwables, the failure first
	 */
	static List<Throwable> allThrowables(Throwable failure) {
		Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		List<Throwable> result = new ArrayList<>();
		List<Throwable> pending = new ArrayList<>(List.of(failure));
		while (!pending.isEmpty()) {
			Throwable current = pending.remove(0);
			if (!seen.add(current)) {
				continue;
			}
			result.add(current);
			if (current.getCause() != null) {
				pending.add(current.getCause());
			}
			pending.addAll(List.of(current.getSuppressed()));
			if (current instanceof SQLException sql && sql.getNextException() != null) {
				pending.add(sql.getNextException());
			}
		}
		return result;
	}

	/**
	 * Return the SQL states found anywhere in the failure.
	 * @param failure the failure
	 * @return the SQL states, in the order found
	 */
	static List<String> sqlStates(Throwable failure) {
		List<String> states = new ArrayList<>();
		for (Throwable each : allThrowables(failure)) {
			if (each instanceof SQLException sql && sql.getSQLState() != null) {
				states.add(sql.getSQLState());
			}
		}
		return states;
	}

	/**
	 * Return whether the failure says the connection broke.
	 * @param failure the failure
	 * @return whether a broken-connection SQL state is found in it
	 */
	static boolean isBrokenConnection(Throwable failure) {
		return sqlStates(failure).stream().anyMatch(BrokenConnections::isBrokenState);
	}

	/**
	 * Assert that no message, string form or stack-trace text of the failure contains a secret.
	 * @param failure the failure
	 * @param secrets the secrets
	 */
	static void assertNoSecret(Throwable failure, String... secrets) {
		for (Throwable each : allThrowables(failure)) {
			for (String secret : secrets) {
				assertThat(String.valueOf(each.getMessage())).doesNotContain(secret);
				assertThat(each.toString()).doesNotContain(secret);
			}
		}
	}

	static long millisSince(long startNanos) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
	}

}
