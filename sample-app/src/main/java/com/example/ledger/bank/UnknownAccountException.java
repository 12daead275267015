package com.example.ledger.bank;

/**
 * Thrown when a request names an account that does not exist. Nothing is written.
 */
public class UnknownAccountException extends RuntimeException {

	private final long accountId;

	/**
	 * Create a new exception.
	 * @param accountId the id that matched no account
	 */
	public UnknownAccountException(long accountId) {
		super("Account " + accountId + " does not exist");
		this.accountId = accountId;
	}

	public long getAccountId() {
		return this.accountId;
	}

}
