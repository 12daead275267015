package com.example.ledger.web;

/**
 * Thrown when a transfer stream is asked for while the most that may be open already are.
 */
class TooManyStreamsException extends RuntimeException {

	TooManyStreamsException(int maxStreams) {
		super("All " + maxStreams + " transfer streams are in use; try again later");
	}

}
