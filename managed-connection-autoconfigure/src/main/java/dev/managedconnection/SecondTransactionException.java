package dev.managedconnection;

import java.sql.SQLException;

/**
 * Thrown when code on the thread that holds the connection tries to end a transaction it did not
 * begin: it asked the {@link ManagedConnection#asDataSource() DataSource view} for a connection
 * while a transaction was open, as a transaction manager does for
 * {@code Propagation.REQUIRES_NEW}, and then committed or rolled back. With one connection that
 * would commit or roll back the outer transaction's work too, so the whole transaction is rolled
 * back instead and every later attempt to commit it fails with this exception as well.
 * <p>
 * Its SQLState is {@code 25001}, PostgreSQL's "active SQL transaction".
 *
 * @since 0.1.0
 */
public class SecondTransactionException extends SQLException {

	static final String SQL_STATE = "25001";

	SecondTransactionException(String message) {
		super(message, SQL_STATE);
	}

	static SecondTransactionException refused(Object managedConnection, String operation) {
		return new SecondTransactionException("Cannot " + operation + " a second transaction on the one connection of "
				+ managedConnection + ": a transaction was already open on it when this code asked the DataSource for "
				+ "a connection, as Propagation.REQUIRES_NEW or a second transaction manager does, and ending it here "
				+ "would " + operation + " the outer transaction's work too. The whole transaction has been rolled "
				+ "back. One connection runs one transaction at a time: use Propagation.REQUIRED or NESTED "
				+ "(savepoints), or do this work after the outer transaction has ended.");
	}

	static SecondTransactionException rolledBack(Object managedConnection) {
		return new SecondTransactionException("Cannot commit: the transaction on the connection of " + managedConnection
				+ " was rolled back when code inside it tried to end a second transaction (Propagation.REQUIRES_NEW "
				+ "or a second transaction manager), so its work is gone. Roll back, and use Propagation.REQUIRED or "
				+ "NESTED for the inner work.");
	}

}
