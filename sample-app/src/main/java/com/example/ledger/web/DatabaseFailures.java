package com.example.ledger.web;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.function.Predicate;

import dev.managedconnection.CommitOutcomeUnknownException;

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
		return anyCause(failure, CommitOutcomeUnknownException.class::isInstance);
	}

	/**
	 * Return whether the database could not be reached, or no connection could be had in time.
	 * @param failure the failure
	 * @return whether the database is unavailable
	 */
	static boolean isUnavailable(Throwable failure) {
		return anyCause(failure, DatabaseFailures::isConnectionFailure);
	}

	private static boolean isConnectionFailure(Throwable ex) {
		if (ex instanceof SQLTransientConnectionException || ex instanceof SQLNonTransientConnectionException
				|| ex instanceof SQLRecoverableException || ex instanceof ConnectException
				|| ex instanceof DataAccessResourceFailureException
				|| ex instanceof TransientDataAccessResourceException) {
			return true;
		}
		if (ex instanceof SQLException sql && sql.getSQLState() != null) {
			String state = sql.getSQLState();
			// Class 08 is a connection exception; 57P01-57P03 mean the server is shutting down or starting.
			return state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03");
		}
		return false;
	}

	private static boolean anyCause(Throwable failure, Predicate<Throwable> test) {
		int depth = 0;
		for (Throwable current = failure; current != null && depth < MAX_DEPTH; current = current.getCause(), depth++) {
			if (test.test(current)) {
				return true;
			}
			if (current instanceof SQLException sql) {
				for (SQLException next = sql.getNextException(); next != null && depth < MAX_DEPTH; next = next
					.getNextException(), depth++) {
					if (test.test(next)) {
						return true;
					}
				}
			}
		}
		return false;
	}

}
