package com.example.ledger.bank;

/**
 * Thrown when a request is malformed in a way the database never needs to see: a missing or
 * out-of-range value, or the same account on both sides of a transfer. Nothing is written.
 */
public class InvalidInputException extends RuntimeException {

	/**
	 * Create a new exception.
	 * @param message what is wrong, safe to show to the caller
	 */
	public InvalidInputException(String message) {
		super(message);
	}

}
