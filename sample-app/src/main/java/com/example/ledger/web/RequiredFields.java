package com.example.ledger.web;

import com.example.ledger.bank.InvalidInputException;
import org.jspecify.annotations.Nullable;

/**
 * Checks that a JSON field was present, naming it when it was not.
 */
final class RequiredFields {

	private RequiredFields() {
	}

	static <T> T require(@Nullable T value, String name) {
		if (value == null) {
			throw new InvalidInputException("'" + name + "' is required");
		}
		return value;
	}

}
