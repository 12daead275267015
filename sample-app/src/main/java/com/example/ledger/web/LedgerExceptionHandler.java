package com.example.ledger.web;

import java.util.List;

import com.example.ledger.bank.BalanceLimitExceededException;
import com.example.ledger.bank.IdempotencyKeyReusedException;
import com.example.ledger.bank.InsufficientFundsException;
import com.example.ledger.bank.InvalidInputException;
import com.example.ledger.bank.UnknownAccountException;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every failure into an RFC 9457 {@code application/problem+json} answer whose detail is
 * written for the caller: never a stack trace, an exception message from a library, or SQL.
 * <p>
 * Spring MVC's own exceptions (unsupported media type, unknown path, wrong method, ...) get
 * {@link ResponseEntityExceptionHandler}'s problem details; the ledger's refusals map to 400, 409
 * and 422; a database that cannot be reached maps to 503, as does a commit whose outcome is
 * unknown (with its own problem type, since the transfer may have been applied) and a transfer
 * stream asked for while all are in use; anything else is a 500 whose cause is only logged.
 */
@RestControllerAdvice
class LedgerExceptionHandler extends ResponseEntityExceptionHandler {

	private static final int MAX_FIELD_NAME_IN_DETAIL = 64;

	private static final String RETRY_AFTER_SECONDS = "1";

	@ExceptionHandler
	ResponseEntity<ProblemDetail> invalidInput(InvalidInputException ex) {
		return problem(Problems.of(HttpStatus.BAD_REQUEST, Problems.INVALID_REQUEST, "Invalid request", ex.getMessage()));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> unknownAccount(UnknownAccountException ex) {
		return problem(Problems.of(HttpStatus.BAD_REQUEST, Problems.UNKNOWN_ACCOUNT, "Unknown account", ex.getMessage()));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> insufficientFunds(InsufficientFundsException ex) {
		return problem(Problems.of(HttpStatus.CONFLICT, Problems.INSUFFICIENT_FUNDS, "Insufficient funds", ex.getMessage()));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> balanceLimitExceeded(BalanceLimitExceededException ex) {
		return problem(Problems.of(HttpStatus.CONFLICT, Problems.BALANCE_LIMIT_EXCEEDED, "Balance limit exceeded",
				ex.getMessage()));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> idempotencyKeyReused(IdempotencyKeyReusedException ex) {
		return problem(Problems.of(HttpStatus.UNPROCESSABLE_CONTENT, Problems.IDEMPOTENCY_KEY_REUSED,
				"Idempotency key reused", ex.getMessage()));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> tooManyStreams(TooManyStreamsException ex) {
		return retryLater(Problems.of(HttpStatus.SERVICE_UNAVAILABLE, Problems.TOO_MANY_STREAMS, "Too many streams",
				ex.getMessage()));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> unexpected(Exception ex) {
		if (DatabaseFailures.isOutcomeUnknown(ex)) {
			this.logger.warn("The connection broke while committing; the outcome is unknown: " + ex);
			return retryLater(Problems.of(HttpStatus.SERVICE_UNAVAILABLE, Problems.OUTCOME_UNKNOWN, "Outcome unknown",
					"The database connection broke while committing, so the change may or may not have been applied. "
							+ "Retry with the same Idempotency-Key to learn the outcome."));
		}
		if (DatabaseFailures.isUnavailable(ex)) {
			this.logger.warn("The database is unavailable: " + ex);
			return retryLater(Problems.of(HttpStatus.SERVICE_UNAVAILABLE, Problems.DATABASE_UNAVAILABLE,
					"Database unavailable", "The database cannot be reached right now; nothing was changed."));
		}
		this.logger.error("Request failed", ex);
		return problem(Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, Problems.INTERNAL_ERROR, "Internal error",
				"The request failed; the cause is in the server's log."));
	}

	@Override
	protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		if (RequestBodyLimitFilter.isTooLarge(ex)) {
			ProblemDetail problem = Problems.of(HttpStatus.CONTENT_TOO_LARGE, Problems.REQUEST_TOO_LARGE,
					"Request too large", "The request body must not be larger than "
							+ RequestBodyLimitFilter.MAX_BODY_BYTES + " bytes");
			return handleExceptionInternal(ex, problem, headers, HttpStatus.CONTENT_TOO_LARGE, request);
		}
		ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, Problems.INVALID_REQUEST, "Invalid request",
				describe(ex));
		return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
	}

	/**
	 * A query parameter or path variable that is not a number (or out of its type's
	 * range): name it, without echoing the value, as {@link #describe} does for JSON fields.
	 */
	@Override
	protected @Nullable ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
			HttpStatusCode status, WebRequest request) {
		String name = ex.getPropertyName();
		String detail = (name != null) ? "'" + name + "' must be a whole number in range"
				: "A request parameter has a value of the wrong type";
		ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, Problems.INVALID_REQUEST, "Invalid request",
				detail);
		return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
	}

	/**
	 * Say which field was wrong, if Jackson knows, without repeating Jackson's message: it names
	 * Java classes and quotes the input.
	 */
	private static String describe(HttpMessageNotReadableException ex) {
		if (ex.getCause() instanceof JacksonException jackson) {
			String field = lastFieldName(jackson.getPath());
			if (field != null) {
				return (jackson instanceof UnrecognizedPropertyException) ? "'" + field + "' is not a known field"
						: "'" + field + "' has a value of the wrong type or out of range";
			}
		}
		return "The request body must be a JSON object of the documented shape";
	}

	private static @Nullable String lastFieldName(List<JacksonException.Reference> path) {
		for (int i = path.size() - 1; i >= 0; i--) {
			String name = path.get(i).getPropertyName();
			if (name != null) {
				return (name.length() > MAX_FIELD_NAME_IN_DETAIL) ? name.substring(0, MAX_FIELD_NAME_IN_DETAIL) + "..."
						: name;
			}
		}
		return null;
	}

	private static ResponseEntity<ProblemDetail> problem(ProblemDetail problem) {
		return ResponseEntity.status(problem.getStatus()).body(problem);
	}

	private static ResponseEntity<ProblemDetail> retryLater(ProblemDetail problem) {
		return ResponseEntity.status(problem.getStatus()).header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS).body(problem);
	}

}
