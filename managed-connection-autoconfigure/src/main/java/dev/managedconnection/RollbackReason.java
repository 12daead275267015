package dev.managedconnection;

/**
 * Why the managed connection rolled back a holder's transaction on release.
 *
 * @since 0.1.0
 */
public enum RollbackReason {

	/**
	 * The holder threw.
	 */
	EXCEPTION,

	/**
	 * The holder returned normally with a transaction still open.
	 */
	OPEN_TRANSACTION

}
