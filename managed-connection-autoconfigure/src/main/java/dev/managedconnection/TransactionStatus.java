package dev.managedconnection;

/**
 * The transaction status of the shared connection, as psycopg2's {@code connection.status}.
 *
 * @since 0.1.0
 */
public enum TransactionStatus {

	/**
	 * Connected, no transaction open.
	 */
	IDLE,

	/**
	 * A transaction is open.
	 */
	IN_TRANSACTION,

	/**
	 * A transaction is open and has failed; only a rollback ends it.
	 */
	IN_ERROR,

	/**
	 * Closed or broken: no status to report.
	 */
	UNKNOWN

}
