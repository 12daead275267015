package com.example.ledger;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every endpoint of the ledger over HTTP, with every kind of bad input, against a real
 * PostgreSQL: what each answers, and that refused requests write nothing.
 */
@Timeout(120)
class LedgerApiIntegrationTests {

	private static final long MAX_BALANCE = 1_000_000_000_000_000L;

	private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>; rel=\"next\"");

	@RegisterExtension
	static final LedgerOnDatabase fixture = new LedgerOnDatabase();

	private long alice;

	private long bob;

	@BeforeEach
	void openAccounts() {
		this.alice = open("alice", 10_000);
		this.bob = open("bob", 500);
	}

	@Test
	void openAnswersCreatedWithTheAccountAndItsLocation() {
		Response response = ledger().post("/accounts", "{\"owner\": \"carol\", \"balance\": 10000}");
		JsonNode account = response.expect(201);
		long id = account.get("id").asLong();
		assertThat(account.get("owner").asString()).isEqualTo("carol");
		assertThat(account.get("balance").asLong()).isEqualTo(10_000);
		assertThat(response.header("Location")).isEqualTo(ledger().baseUri() + "/accounts/" + id);
		assertThat(balanceInDatabase(id)).isEqualTo(10_000);
	}

	@Test
	void getAnswersTheAccount() {
		JsonNode account = ledger().get("/accounts/" + this.alice).expect(200);
		assertThat(account.get("id").asLong()).isEqualTo(this.alice);
		assertThat(account.get("owner").asString()).isEqualTo("alice");
		assertThat(account.get("balance").asLong()).isEqualTo(10_000);
	}

	@Test
	void getAnUnknownAccountAnswersNotFound() {
		ledger().get("/accounts/999999999").expectProblem(404, "unknown-account");
		ledger().get("/accounts/999999999/transfers").expectProblem(404, "unknown-account");
		ledger().get("/transfers/999999999").expectProblem(404, "unknown-transfer");
	}

	@Test
	void transferMovesTheAmountAndAnswersCreated() {
		Response response = transfer(this.alice, this.bob, 250);
		JsonNode transfer = response.expect(201);
		long id = transfer.get("id").asLong();
		assertThat(transfer.get("from").asLong()).isEqualTo(this.alice);
		assertThat(transfer.get("to").asLong()).isEqualTo(this.bob);
		assertThat(transfer.get("amount").asLong()).isEqualTo(250);
		assertThat(transfer.get("createdAt").asString()).isNotBlank();
		assertThat(response.header("Location")).isEqualTo(ledger().baseUri() + "/transfers/" + id);
		assertThat(response.header("Idempotent-Replayed")).isNull();
		assertThat(balanceInDatabase(this.alice)).isEqualTo(9_750);
		assertThat(balanceInDatabase(this.bob)).isEqualTo(750);
		assertThat(ledger().get("/transfers/" + id).expect(200)).isEqualTo(transfer);
		assertThat(ledger().get("/accounts/" + this.bob).expect(200).get("balance").asLong()).isEqualTo(750);
	}

	@Test
	void accountTransfersAreListedNewestFirstInBothDirections() {
		long carol = open("carol", 100);
		long first = transfer(this.alice, this.bob, 1).expect(201).get("id").asLong();
		long second = transfer(this.bob, this.alice, 2).expect(201).get("id").asLong();
		transfer(this.alice, carol, 3).expect(201);
		long fourth = transfer(this.alice, this.bob, 4).expect(201).get("id").asLong();
		JsonNode transfers = ledger().get("/accounts/" + this.bob + "/transfers").expect(200);
		assertThat(transfers.valueStream().map((transfer) -> transfer.get("id").asLong())).containsExactly(fourth,
				second, first);
		JsonNode newest = ledger().get("/accounts/" + this.bob + "/transfers?limit=1").expect(200);
		assertThat(newest.valueStream().map((transfer) -> transfer.get("id").asLong())).containsExactly(fourth);
	}

	@Test
	void wholeHistoryIsReadExactlyOnceInOrderThroughTheNextLinks() {
		long carol = open("carol", 1_000);
		List<Long> history = makeHistory(carol, 12);
		List<Long> read = new ArrayList<>();
		List<Integer> pageSizes = new ArrayList<>();
		String next = "/accounts/" + carol + "/transfers?limit=5";
		while (next != null) {
			Response page = ledger().get(next);
			List<Long> ids = ids(page.expect(200));
			read.addAll(ids);
			pageSizes.add(ids.size());
			next = nextLink(page);
			if (next != null) {
				assertThat(next).isEqualTo(ledger().baseUri() + "/accounts/" + carol + "/transfers?limit=5&before="
						+ ids.get(ids.size() - 1));
			}
			// A newer transfer shifts no page: the walk goes on below where it was.
			transfer(this.alice, carol, 1).expect(201);
		}
		assertThat(read).containsExactlyElementsOf(history);
		assertThat(pageSizes).containsExactly(5, 5, 5, 5, 4);
	}

	@Test
	void lastPageHasNoNextLinkEvenWhenItIsFull() {
		long carol = open("carol", 1_000);
		List<Long> history = makeHistory(carol, 2);
		Response first = ledger().get("/accounts/" + carol + "/transfers?limit=2");
		assertThat(first.expect(200)).hasSize(2);
		assertThat(first.header("Link")).isEqualTo("<" + ledger().baseUri() + "/accounts/" + carol
				+ "/transfers?limit=2&before=" + history.get(1) + ">; rel=\"next\"");
		Response last = ledger().get(nextLink(first));
		assertThat(ids(last.expect(200))).containsExactlyElementsOf(history.subList(2, 4));
		assertThat(last.header("Link")).isNull();
		Response all = ledger().get("/accounts/" + carol + "/transfers?limit=4");
		assertThat(all.expect(200)).hasSize(4);
		assertThat(all.header("Link")).isNull();
		Response older = ledger().get("/accounts/" + carol + "/transfers?before=" + history.get(0));
		assertThat(ids(older.expect(200))).containsExactlyElementsOf(history.subList(1, 4));
		assertThat(older.header("Link")).isNull();
		assertThat(ledger().get("/accounts/" + carol + "/transfers?before=" + history.get(3)).expect(200)).isEmpty();
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "limit=0", "limit=-1", "limit=501", "limit=many", "limit=2.5", "limit=99999999999",
			"before=0", "before=-3", "before=abc", "before=99999999999999999999", "limit=5&before=x" })
	void badPagingParametersAreRefusedNamingTheParameter(String query) {
		String parameter = query.contains("before") ? "before" : "limit";
		JsonNode problem = ledger().get("/accounts/" + this.alice + "/transfers?" + query).expectProblem(400,
				"invalid-request");
		assertThat(problem.get("detail").asString()).contains("'" + parameter + "'");
	}

	/**
	 * Make rounds of two transfers of an account, one in each direction, with another account's
	 * between them, and return the account's transfer ids, newest first.
	 */
	private List<Long> makeHistory(long account, int rounds) {
		List<Long> history = new ArrayList<>();
		for (int i = 0; i < rounds; i++) {
			history.add(0, transfer(account, this.alice, 1).expect(201).get("id").asLong());
			transfer(this.alice, this.bob, 1).expect(201);
			history.add(0, transfer(this.bob, account, 1).expect(201).get("id").asLong());
		}
		return history;
	}

	private static List<Long> ids(JsonNode transfers) {
		return transfers.valueStream().map((transfer) -> transfer.get("id").asLong()).toList();
	}

	/**
	 * The target of the response's RFC 8288 {@code rel="next"} link, or {@code null}.
	 */
	private static @Nullable String nextLink(Response response) {
		String link = response.header("Link");
		if (link == null) {
			return null;
		}
		Matcher next = NEXT_LINK.matcher(link);
		assertThat(next.matches()).as("Link: %s", link).isTrue();
		return next.group(1);
	}

	@Test
	void ledgerTotalIsTheSumOfAllBalancesAndTransfersDoNotChangeIt() {
		long before = ledger().get("/ledger/total").expect(200).get("total").asLong();
		assertThat(before).isEqualTo(sql().sql("SELECT sum(balance) FROM account").query(Long.class).single());
		transfer(this.alice, this.bob, 1_234).expect(201);
		assertThat(ledger().get("/ledger/total").expect(200).get("total").asLong()).isEqualTo(before);
	}

	@Test
	void retryWithTheSameIdempotencyKeyAnswersTheFirstResultAndAppliesOnce() {
		String body = transferBody(this.alice, this.bob, 300);
		JsonNode first = ledger().post("/transfers", body, "Idempotency-Key", "retry-1").expect(201);
		Response retry = ledger().post("/transfers", body, "Idempotency-Key", "retry-1");
		assertThat(retry.expect(201)).isEqualTo(first);
		assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
		assertThat(balanceInDatabase(this.alice)).isEqualTo(9_700);
		assertThat(balanceInDatabase(this.bob)).isEqualTo(800);
		assertThat(sql().sql("SELECT count(*) FROM transfer WHERE idempotency_key = 'retry-1'").query(Long.class).single())
			.isOne();
	}

	@Test
	void sameIdempotencyKeyForADifferentTransferIsRefusedAndWritesNothing() {
		ledger().post("/transfers", transferBody(this.alice, this.bob, 300), "Idempotency-Key", "reused-1").expect(201);
		long transfers = transferCount();
		ledger().post("/transfers", transferBody(this.alice, this.bob, 301), "Idempotency-Key", "reused-1")
			.expectProblem(422, "idempotency-key-reused");
		ledger().post("/transfers", transferBody(this.bob, this.alice, 300), "Idempotency-Key", "reused-1")
			.expectProblem(422, "idempotency-key-reused");
		assertThat(transferCount()).isEqualTo(transfers);
		assertThat(balanceInDatabase(this.alice)).isEqualTo(9_700);
	}

	@Test
	void refusedRequestIsNotRememberedSoItsRetryIsJudgedAfresh() {
		String body = transferBody(this.bob, this.alice, 600);
		ledger().post("/transfers", body, "Idempotency-Key", "afresh-1").expectProblem(409, "insufficient-funds");
		transfer(this.alice, this.bob, 100).expect(201);
		ledger().post("/transfers", body, "Idempotency-Key", "afresh-1").expect(201);
		assertThat(balanceInDatabase(this.bob)).isZero();
	}

	@Test
	void transferLargerThanTheBalanceIsRefusedWithConflictAndWritesNothing() {
		long transfers = transferCount();
		transfer(this.bob, this.alice, 501).expectProblem(409, "insufficient-funds");
		assertThat(transferCount()).isEqualTo(transfers);
		assertThat(balanceInDatabase(this.alice)).isEqualTo(10_000);
		assertThat(balanceInDatabase(this.bob)).isEqualTo(500);
		transfer(this.bob, this.alice, 500).expect(201);
		assertThat(balanceInDatabase(this.bob)).isZero();
	}

	@Test
	void transferAboveTheMaximumBalanceOfTheCreditedAccountIsRefusedWithConflict() {
		long rich = open("rich", MAX_BALANCE);
		long transfers = transferCount();
		transfer(this.alice, rich, 1).expectProblem(409, "balance-limit-exceeded");
		assertThat(transferCount()).isEqualTo(transfers);
		assertThat(balanceInDatabase(this.alice)).isEqualTo(10_000);
		assertThat(balanceInDatabase(rich)).isEqualTo(MAX_BALANCE);
	}

	@Test
	void transferWithAnUnknownAccountIsBadInputAndWritesNothing() {
		long transfers = transferCount();
		transfer(this.alice, 999_999_999, 1).expectProblem(400, "unknown-account");
		transfer(999_999_999, this.alice, 1).expectProblem(400, "unknown-account");
		assertThat(transferCount()).isEqualTo(transfers);
		assertThat(balanceInDatabase(this.alice)).isEqualTo(10_000);
	}

	static Stream<Arguments> badTransferBodies() {
		return Stream.of(Arguments.of("zero amount", "{\"from\": @A, \"to\": @B, \"amount\": 0}"),
				Arguments.of("negative amount", "{\"from\": @A, \"to\": @B, \"amount\": -5}"),
				Arguments.of("same account on both sides", "{\"from\": @A, \"to\": @A, \"amount\": 5}"),
				Arguments.of("amount above the maximum", "{\"from\": @A, \"to\": @B, \"amount\": 1000000000000001}"),
				Arguments.of("amount beyond a long", "{\"from\": @A, \"to\": @B, \"amount\": 99999999999999999999}"),
				Arguments.of("amount in exponent form", "{\"from\": @A, \"to\": @B, \"amount\": 1e30}"),
				Arguments.of("fractional amount", "{\"from\": @A, \"to\": @B, \"amount\": 2.5}"),
				Arguments.of("amount as a string", "{\"from\": @A, \"to\": @B, \"amount\": \"25\"}"),
				Arguments.of("non-numeric amount", "{\"from\": @A, \"to\": @B, \"amount\": \"abc\"}"),
				Arguments.of("SQL in the amount", "{\"from\": @A, \"to\": @B, \"amount\": \"1; DROP TABLE account\"}"),
				Arguments.of("SQL in an account", "{\"from\": \"@A OR 1=1\", \"to\": @B, \"amount\": 1}"),
				Arguments.of("account beyond a long", "{\"from\": 99999999999999999999, \"to\": @B, \"amount\": 1}"),
				Arguments.of("missing amount", "{\"from\": @A, \"to\": @B}"),
				Arguments.of("null amount", "{\"from\": @A, \"to\": @B, \"amount\": null}"),
				Arguments.of("missing account", "{\"to\": @B, \"amount\": 1}"),
				Arguments.of("unknown field", "{\"from\": @A, \"to\": @B, \"amount\": 1, \"fee\": 0}"),
				Arguments.of("malformed JSON", "{\"from\": @A, \"to\": @B, \"amount\": "),
				Arguments.of("trailing garbage", "{\"from\": @A, \"to\": @B, \"amount\": 1} {}"),
				Arguments.of("JSON array", "[@A, @B, 1]"), Arguments.of("JSON string", "\"@A to B\""),
				Arguments.of("empty body", ""));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badTransferBodies")
	void badTransferInputIsRefusedWithAProblemAndWritesNothing(String description, String body) {
		long transfers = transferCount();
		String json = body.replace("@A", Long.toString(this.alice)).replace("@B", Long.toString(this.bob));
		ledger().post("/transfers", json).expectProblem(400);
		assertThat(transferCount()).isEqualTo(transfers);
		assertThat(balanceInDatabase(this.alice)).isEqualTo(10_000);
		assertThat(balanceInDatabase(this.bob)).isEqualTo(500);
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "", " ", "key with spaces", "tab\there" })
	void invalidIdempotencyKeyIsRefusedAndWritesNothing(String key) {
		long transfers = transferCount();
		ledger().post("/transfers", transferBody(this.alice, this.bob, 1), "Idempotency-Key", key)
			.expectProblem(400, "invalid-request");
		assertThat(transferCount()).isEqualTo(transfers);
	}

	@Test
	void idempotencyKeyLongerThan255CharactersIsRefused() {
		ledger().post("/transfers", transferBody(this.alice, this.bob, 1), "Idempotency-Key", "k".repeat(256))
			.expectProblem(400, "invalid-request");
		ledger().post("/transfers", transferBody(this.alice, this.bob, 1), "Idempotency-Key", "k".repeat(255))
			.expect(201);
	}

	static Stream<Arguments> badAccountBodies() {
		return Stream.of(Arguments.of("negative balance", "{\"owner\": \"x\", \"balance\": -1}"),
				Arguments.of("balance above the maximum", "{\"owner\": \"x\", \"balance\": 1000000000000001}"),
				Arguments.of("fractional balance", "{\"owner\": \"x\", \"balance\": 0.5}"),
				Arguments.of("blank owner", "{\"owner\": \"  \", \"balance\": 1}"),
				Arguments.of("owner too long", "{\"owner\": \"" + "x".repeat(101) + "\", \"balance\": 1}"),
				Arguments.of("control character in owner", "{\"owner\": \"a\\u0000b\", \"balance\": 1}"),
				Arguments.of("missing owner", "{\"balance\": 1}"),
				Arguments.of("missing balance", "{\"owner\": \"x\"}"), Arguments.of("malformed JSON", "{\"owner\""));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badAccountBodies")
	void badAccountInputIsRefusedWithAProblemAndWritesNothing(String description, String body) {
		long accounts = accountCount();
		ledger().post("/accounts", body).expectProblem(400, "invalid-request");
		assertThat(accountCount()).isEqualTo(accounts);
	}

	@Test
	void ownerWithSqlMetacharactersIsStoredVerbatim() {
		String owner = "Robert'); DROP TABLE account; --";
		JsonNode account = ledger().post("/accounts", "{\"owner\": \"" + owner + "\", \"balance\": 1}").expect(201);
		assertThat(ledger().get("/accounts/" + account.get("id").asLong()).expect(200).get("owner").asString())
			.isEqualTo(owner);
		assertThat(accountCount()).isPositive();
	}

	@Test
	void bodyLargerThanTheLimitIsRefusedWhetherDeclaredOrChunked() {
		String padding = " ".repeat(17 * 1024);
		String body = "{\"owner\": \"big\", \"balance\": 1}" + padding;
		long accounts = accountCount();
		ledger().post("/accounts", body).expectProblem(413, "request-too-large");
		ledger()
			.post("/accounts", BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body.getBytes())),
					"application/json")
			.expectProblem(413, "request-too-large");
		assertThat(accountCount()).isEqualTo(accounts);
	}

	@Test
	void transferBodyLargerThanTheLimitIsRefusedWhetherDeclaredOrChunkedAndWritesNothing() {
		String body = transferBody(this.alice, this.bob, 1) + " ".repeat(17 * 1024);
		long transfers = transferCount();
		ledger().post("/transfers", body, "Idempotency-Key", "too-large").expectProblem(413, "request-too-large");
		ledger()
			.post("/transfers", BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body.getBytes())),
					"application/json", "Idempotency-Key", "too-large")
			.expectProblem(413, "request-too-large");
		assertThat(transferCount()).isEqualTo(transfers);
		assertThat(balanceInDatabase(this.alice)).isEqualTo(10_000);
	}

	@Test
	void idempotencyKeyWithSqlMetacharactersIsStoredVerbatimAndReplayed() {
		String key = "k');DELETE-FROM-transfer;--'\\\"%_";
		String body = transferBody(this.alice, this.bob, 5);
		JsonNode first = ledger().post("/transfers", body, "Idempotency-Key", key).expect(201);
		assertThat(ledger().post("/transfers", body, "Idempotency-Key", key).expect(201)).isEqualTo(first);
		assertThat(sql().sql("SELECT idempotency_key FROM transfer WHERE id = ?")
			.param(first.get("id").asLong())
			.query(String.class)
			.single()).isEqualTo(key);
		assertThat(balanceInDatabase(this.alice)).isEqualTo(9_995);
	}

	@Test
	void otherBadRequestsAnswerWithProblems() {
		ledger().get("/accounts/abc").expectProblem(400);
		ledger().get("/accounts/" + this.alice + "/transfers?limit=0").expectProblem(400, "invalid-request");
		ledger().get("/accounts/" + this.alice + "/transfers?limit=501").expectProblem(400, "invalid-request");
		ledger().get("/accounts/" + this.alice + "/transfers?limit=many").expectProblem(400);
		ledger().post("/transfers", BodyPublishers.ofString("from=1&to=2&amount=3"), "application/x-www-form-urlencoded")
			.expectProblem(415);
		ledger().get("/transfers").expectProblem(405);
		ledger().get("/no-such-path").expectProblem(404);
	}

	@Test
	void healthIsUpWithTheManagedConnectionComponent() {
		JsonNode health = ledger().get("/actuator/health").expect(200);
		assertThat(health.get("status").asString()).isEqualTo("UP");
		assertThat(health.get("components").get("managedConnection").get("status").asString()).isEqualTo("UP");
		assertThat(health.get("components").has("db")).isFalse();
	}

	@Test
	void metricsExposeTheManagedConnectionMeters() {
		open("metered", 1);
		JsonNode usage = ledger().get("/actuator/metrics/managed.connection.usage").expect(200);
		assertThat(usage.get("measurements").get(0).get("value").asDouble()).isPositive();
		ledger().get("/actuator/metrics/managed.connection.pending").expect(200);
		ledger().get("/actuator/metrics/managed.connection.rollbacks").expect(200);
	}

	private static long open(String owner, long balance) {
		return ledger().openAccount(owner, balance);
	}

	private static Response transfer(long from, long to, long amount) {
		return ledger().transfer(from, to, amount);
	}

	private static String transferBody(long from, long to, long amount) {
		return "{\"from\": " + from + ", \"to\": " + to + ", \"amount\": " + amount + "}";
	}

	private static long balanceInDatabase(long account) {
		return sql().sql("SELECT balance FROM account WHERE id = ?").param(account).query(Long.class).single();
	}

	private static long transferCount() {
		return sql().sql("SELECT count(*) FROM transfer").query(Long.class).single();
	}

	private static long accountCount() {
		return sql().sql("SELECT count(*) FROM account").query(Long.class).single();
	}

	private static RunningLedger ledger() {
		return fixture.ledger();
	}

	private static JdbcClient sql() {
		return fixture.sql();
	}

}
