package dev.managedconnection;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;

/**
 * Thrown when a COMMIT was sent but the connection broke before its reply arrived: the
 * transaction may or may not have been committed. Check the database before retrying work that
 * must not happen twice.
 *
 * @since 0.1.0
 */
public class CommitOutcomeUnknownException extends SQLRecoverableException {

	CommitOutcomeUnknownException(SQLException cause) {
		super("The connection broke while committing: the transaction may or may not have been committed. "
				+ "Check the database before retrying. Cause: " + cause.getMessage(), cause.getSQLState(), cause);
	}

}
