package com.example.ledger.bank;

/**
 * Thrown when an idempotency key that already applied one transfer comes back with a different
 * transfer: the key identifies one operation, so the second request is refused and nothing is
 * written.
 */
public class IdempotencyKeyReusedException extends RuntimeException {

	/**
	 * Create a new exception.
	 * @param earlier the transfer the key already applied
	 */
	public IdempotencyKeyReusedException(Transfer earlier) {
		super("This Idempotency-Key already applied transfer " + earlier.id() + " with a different account or amount");
	}

}
