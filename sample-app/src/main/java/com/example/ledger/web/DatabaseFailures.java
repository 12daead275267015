package com.example.ledger.web;

import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.function.Predicate;

import dev.managedconnection.CommitOutcomeUnknownException;
import dev.managedconnection.ManagedConnection;

/**
 * Tells, from an exception and its causes, whether the database could not be reached (nothing
 * was applied) or the connection broke while committing (the outcome is unknown).
 */
final class DatabaseFailures {

	private static final int MAX_DEPTH = 32;

	private DatabaseFailures() {
	}

	/**
	 * Return whether a commit was sent but its answer never came back.
	 * @param failure the failure
	 * @return whether the outcome is unknown
	 */
	static boolean isOutcomeUnknown(Throwable failure) {
		return anyCause(failure, CommitOutcomeUnknownException.class::isInstance);
	}

	/**
	 * Return whether the database could not be reached, or no connection could be had in time:
	 * the connection broke (the managed connection's own test, which reads the SQLStates of the
	 * failure, its causes and its chained exceptions), or no connection could be opened.
	 * <p>
	 * The second test is needed because a login the server refuses, or a database that does not
	 * exist, is not a broken connection: the managed connection reports it as a JDBC connection
	 * exception that keeps the server's SQLState ({@code 28000}, {@code 3D000}). For the caller
	 * the database is just as unavailable.
	 * @param failure the failure
	 * @return whether the database is unavailable
	 */
	static boolean isUnavailable(Throwable failure) {
		return ManagedConnection.isBrokenConnection(failure)
				|| anyCause(failure, (cause) -> cause instanceof SQLNonTransientConnectionException
						|| cause instanceof SQLTransientConnectionException);
	}

	private static boolean anyCause(Throwable failure, Predicate<Throwable> test) {
		int depth = 0;
		for (Throwable current = failure; current != null && depth < MAX_DEPTH; current = current.getCause(), depth++) {
			if (test.test(current)) {
				return true;
			}
		}
		return false;
	}

}
