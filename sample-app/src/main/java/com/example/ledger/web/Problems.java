package com.example.ledger.web;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * The RFC 9457 problem types this API answers with, and a factory for their bodies.
 */
final class Problems {

	private static final String BASE = "https://example.com/problems/";

	static final URI INVALID_REQUEST = URI.create(BASE + "invalid-request");

	static final URI REQUEST_TOO_LARGE = URI.create(BASE + "request-too-large");

	static final URI UNKNOWN_ACCOUNT = URI.create(BASE + "unknown-account");

	static final URI UNKNOWN_TRANSFER = URI.create(BASE + "unknown-transfer");

	static final URI INSUFFICIENT_FUNDS = URI.create(BASE + "insufficient-funds");

	static final URI BALANCE_LIMIT_EXCEEDED = URI.create(BASE + "balance-limit-exceeded");

	static final URI IDEMPOTENCY_KEY_REUSED = URI.create(BASE + "idempotency-key-reused");

	static final URI DATABASE_UNAVAILABLE = URI.create(BASE + "database-unavailable");

	static final URI TOO_MANY_STREAMS = URI.create(BASE + "too-many-streams");

	static final URI OUTCOME_UNKNOWN = URI.create(BASE + "outcome-unknown");

	static final URI INTERNAL_ERROR = URI.create(BASE + "internal-error");

	private Problems() {
	}

	static ProblemDetail of(HttpStatus status, URI type, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(type);
		problem.setTitle(title);
		return problem;
	}

}
