package com.example.ledger.bank;

/**
 * Thrown when a transfer would take the credited account above {@link Account#MAX_BALANCE}.
 * Nothing is written.
 */
public class BalanceLimitExceededException extends RuntimeException {

	/**
	 * Create a new exception.
	 * @param accountId the account that would be credited
	 * @param amount the amount of the transfer, in cents
	 */
	public BalanceLimitExceededException(long accountId, long amount) {
		super("A transfer of " + amount + " cents would take account " + accountId + " above the maximum balance of "
				+ Account.MAX_BALANCE + " cents");
	}

}
