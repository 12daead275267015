package com.example.ledger.web;

import java.net.ConnectException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;

import dev.managedconnection.CommitOutcomeUnknownException;
import dev.managedconnection.ManagedConnection;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;

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
	 * the connection broke (the managed connection's own test, which reads the SQLStates of the
	 * failure, its causes and chained exceptions), or no connection could be opened or acquired
	 * at all (a refused login, a missing database, an acquire timeout), which the driver and
	 * Spring tell by the exception's type rather than by a broken-connection SQLState.
	 * @param failure the failure
	 * @return whether the database is unavailable
	 */
	static boolean isUnavailable(Throwable failure) {
		if (ManagedConnection.isBrokenConnection(failure)) {
			return true;
		}
		int depth = 0;
		for (Throwable current = failure; current != null && depth < MAX_DEPTH; current = current.getCause(), depth++) {
			if (isNoConnection(current)) {
				return true;
			}
		}
		return false;
	}

	private static boolean isNoConnection(Throwable ex) {
		return ex instanceof SQLTransientConnectionException || ex instanceof SQLNonTransientConnectionException
				|| ex instanceof SQLRecoverableException || ex instanceof ConnectException
				|| ex instanceof DataAccessResourceFailureException
				|| ex instanceof TransientDataAccessResourceException;
	}

}
