package dev.managedconnection;

/**
 * Thrown when a holder released the connection with a transaction still open. The transaction
 * has been rolled back when this is thrown.
 *
 * @since 0.1.0
 */
public class OpenTransactionException extends IllegalStateException {

	static final String MESSAGE = "Did not commit or rollback open transaction before releasing connection.";

	private final TransactionStatus status;

	OpenTransactionException(TransactionStatus status) {
		super(MESSAGE + " The transaction was " + status
				+ " and has been rolled back; commit or roll back before the scope ends, or use commit = true.");
		this.status = status;
	}

	/**
	 * Return the status the transaction had on release.
	 * @return {@link TransactionStatus#IN_TRANSACTION} or {@link TransactionStatus#IN_ERROR}
	 */
	public TransactionStatus getStatus() {
		return this.status;
	}

}
