package com.example.ledger.web;

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
		int depth = 0;
		for (Throwable current = failure; current != null && depth < MAX_DEPTH; current = current.getCause(), depth++) {
			if (current instanceof CommitOutcomeUnknownException) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Return whether the database could not be reached, or no connection could be had in time:
	 * the managed connection's own test, which reads the SQLStates of the failure, its causes and
	 * its chained exceptions.
	 * @param failure the failure
	 * @return whether the database is unavailable
	 */
	static boolean isUnavailable(Throwable failure) {
		return ManagedConnection.isBrokenConnection(failure);
	}

}
