package com.example.ledger.web;

import java.sql.SQLException;

import com.example.ledger.bank.AccountService;
import com.example.ledger.bank.Transfer;
import com.example.ledger.bank.TransferResult;
import com.example.ledger.bank.TransferService;
import com.example.ledger.bank.UnknownTransferException;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * {@code /transfers} and {@code /transfers/stream}.
 */
@RestController
class TransferController {

	/**
	 * Set to {@code true} on the answer to a retried request, which repeats the first answer.
	 */
	static final String REPLAYED_HEADER = "Idempotent-Replayed";

	private final TransferService transfers;

	private final AccountService accounts;

	private final TransferStream stream;

	TransferController(TransferService transfers, AccountService accounts, TransferStream stream) {
		this.transfers = transfers;
		this.accounts = accounts;
		this.stream = stream;
	}

	@PostMapping("/transfers")
	ResponseEntity<Transfer> transfer(@RequestBody TransferRequest request,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey,
			UriComponentsBuilder uri) throws SQLException {
		TransferResult result = this.transfers.transfer(RequiredFields.require(request.from(), "from"),
				RequiredFields.require(request.to(), "to"), RequiredFields.require(request.amount(), "amount"),
				idempotencyKey);
		Transfer transfer = result.transfer();
		ResponseEntity.BodyBuilder response = ResponseEntity
			.created(uri.path("/transfers/{id}").build(transfer.id()));
		if (result.replayed()) {
			response.header(REPLAYED_HEADER, "true");
		}
		return response.body(transfer);
	}

	/**
	 * Server-Sent Events: each transfer as it is applied, and {@code resync} when some may
	 * have been missed; see {@link TransferStream}.
	 */
	@GetMapping(path = "/transfers/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	SseEmitter stream() {
		return this.stream.open();
	}

	@GetMapping("/transfers/{id}")
	Transfer find(@PathVariable long id) {
		return this.accounts.findTransfer(id).orElseThrow(() -> new UnknownTransferException(id));
	}

	@ExceptionHandler
	@ResponseStatus(HttpStatus.NOT_FOUND)
	ProblemDetail unknownTransfer(UnknownTransferException ex) {
		return Problems.of(HttpStatus.NOT_FOUND, Problems.UNKNOWN_TRANSFER, "Unknown transfer", ex.getMessage());
	}

}
