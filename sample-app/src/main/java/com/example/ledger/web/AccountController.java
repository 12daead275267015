package com.example.ledger.web;

import java.util.List;

import com.example.ledger.bank.Account;
import com.example.ledger.bank.AccountService;
import com.example.ledger.bank.Transfer;
import com.example.ledger.bank.TransferPage;
import com.example.ledger.bank.UnknownAccountException;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * {@code /accounts} and {@code /ledger/total}.
 */
@RestController
class AccountController {

	private final AccountService accounts;

	AccountController(AccountService accounts) {
		this.accounts = accounts;
	}

	@PostMapping("/accounts")
	ResponseEntity<Account> open(@RequestBody AccountRequest request, UriComponentsBuilder uri) {
		Account account = this.accounts.open(RequiredFields.require(request.owner(), "owner"),
				RequiredFields.require(request.balance(), "balance"));
		return ResponseEntity.created(uri.path("/accounts/{id}").build(account.id())).body(account);
	}

	@GetMapping("/accounts/{id}")
	Account find(@PathVariable long id) {
		return this.accounts.find(id).orElseThrow(() -> new UnknownAccountException(id));
	}

	/**
	 * A page of the account's transfers, newest first, with an RFC 8288 {@code Link} to the
	 * next (older) page while there is one; without {@code before} the newest.
	 */
	@GetMapping("/accounts/{id}/transfers")
	ResponseEntity<List<Transfer>> transfers(@PathVariable long id, @RequestParam(defaultValue = "50") int limit,
			@RequestParam(required = false) @Nullable Long before) {
		TransferPage page = this.accounts.transfersOf(id, limit, before)
			.orElseThrow(() -> new UnknownAccountException(id));
		ResponseEntity.BodyBuilder response = ResponseEntity.ok();
		if (page.hasOlder()) {
			long last = page.transfers().get(page.transfers().size() - 1).id();
			response.header(HttpHeaders.LINK, nextLink(limit, last));
		}
		return response.body(page.transfers());
	}

	/**
	 * The current request's URI with the page's limit and the cursor after its last transfer,
	 * so that the next page has the same size.
	 */
	private static String nextLink(int limit, long last) {
		String next = ServletUriComponentsBuilder.fromCurrentRequest()
			.replaceQueryParam("limit", limit)
			.replaceQueryParam("before", last)
			.build()
			.toUriString();
		return "<" + next + ">; rel=\"next\"";
	}

	@GetMapping("/ledger/total")
	LedgerTotal total() {
		return new LedgerTotal(this.accounts.total());
	}

	/**
	 * Here the unknown account is the resource the URI names, so it is not found; elsewhere
	 * (in a transfer's body) it is bad input.
	 */
	@ExceptionHandler
	@ResponseStatus(HttpStatus.NOT_FOUND)
	ProblemDetail unknownAccount(UnknownAccountException ex) {
		return Problems.of(HttpStatus.NOT_FOUND, Problems.UNKNOWN_ACCOUNT, "Unknown account", ex.getMessage());
	}

}
