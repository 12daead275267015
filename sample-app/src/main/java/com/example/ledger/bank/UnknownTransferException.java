package com.example.ledger.bank;

/**
 * Thrown when a request names a transfer that is not in the ledger.
 */
public class UnknownTransferException extends RuntimeException {

	/**
	 * Create a new exception.
	 * @param transferId the id that matched no transfer
	 */
	public UnknownTransferException(long transferId) {
		super("Transfer " + transferId + " does not exist");
	}

}
