package com.example.ledger;

import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import com.example.ledger.EventStream.Event;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.testsupport.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /transfers/stream} over real HTTP, read as it arrives with the JDK's HTTP client:
 * every applied transfer, announced by {@code NOTIFY} in its transaction and relayed from the
 * one managed connection; a {@code resync} event after its backend was killed, and transfers
 * again after that; and a 503 for a stream beyond the limit.
 */
@Timeout(180)
class TransferStreamIntegrationTests {

	private static final String STREAM = "/transfers/stream";

	private static final String KEY = "Idempotency-Key";

	private static final JsonMapper jsonMapper = JsonMapper.builder().build();

	@RegisterExtension
	static final LedgerOnDatabase fixture = new LedgerOnDatabase();

	// A new pair for each test (JUnit makes an instance per test), opened after the ledger starts.
	private final long alice = ledger().openAccount("alice", 10_000);

	private final long bob = ledger().openAccount("bob", 0);

	@Test
	void eachAppliedTransferIsStreamedOnceAsItsJsonAndNothingElseIs() {
		try (EventStream stream = ledger().openEventStream(STREAM).awaitOpen()) {
			JsonNode first = ledger().transfer(this.alice, this.bob, 250, KEY, "stream-first").expect(201);
			Response replay = ledger().transfer(this.alice, this.bob, 250, KEY, "stream-first");
			assertThat(replay.expect(201)).isEqualTo(first);
			assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
			ledger().transfer(this.bob, this.alice, 1_000_000, KEY, "stream-refused")
				.expectProblem(409, "insufficient-funds");
			JsonNode last = ledger().transfer(this.bob, this.alice, 40, KEY, "stream-last").expect(201);

			// The events come in commit order, so once the last is in, any other would be too.
			List<Event> events = stream.awaitEvent("the last transfer", isTransfer(last.get("id").asLong()));
			assertThat(transfersBetween(events, this.alice, this.bob)).containsExactly(Announced.of(first),
					Announced.of(last));
			assertThat(events).allMatch((event) -> event.name().equals("transfer"));
		}
	}

	@Test
	void streamGoesOnAfterTheBackendIsKilledAndSaysResyncFirst() throws SQLException {
		try (EventStream stream = ledger().openEventStream(STREAM).awaitOpen()) {
			long before = ledger().transfer(this.alice, this.bob, 1, KEY, "before-kill").expect(201).get("id").asLong();
			stream.awaitEvent("the transfer before the kill", isTransfer(before));
			ManagedConnection managedConnection = ledger().context().getBean(ManagedConnection.class);
			int killed = managedConnection.state().backendPid();

			Backends.terminate(fixture.database(), killed);
			// The idle poll reopens the connection by itself, or this transfer's request does; it
			// may answer 503 while the connection is down, and is retried with the same key.
			long after = await().atMost(EventStream.BOUND)
				.until(() -> ledger().transfer(this.alice, this.bob, 2, KEY, "after-kill"),
						(answer) -> answer.status() == 201)
				.json()
				.get("id")
				.asLong();

			List<Event> events = stream.awaitEvent("the transfer after the kill", isTransfer(after));
			assertThat(stream.ended()).isFalse();
			int resync = indexOf(events, (event) -> event.name().equals("resync"));
			assertThat(indexOf(events, isTransfer(before))).isLessThan(resync);
			assertThat(resync).isLessThan(indexOf(events, isTransfer(after)));
			assertThat(managedConnection.state().backendPid()).isNotEqualTo(killed);
		}
	}

	@Test
	void streamsBeyondTheLimitAreRefusedUntilOneIsGoneAndTheOthersGoOn() {
		try (RunningLedger limited = RunningLedger.on(fixture.database(), "--ledger.transfer-stream.max-streams=2");
				EventStream first = limited.openEventStream(STREAM).awaitOpen();
				EventStream second = limited.openEventStream(STREAM).awaitOpen()) {
			Response refused = limited.get(STREAM, "Accept", "text/event-stream");
			refused.expectProblem(503, "too-many-streams");
			assertThat(refused.header("Retry-After")).isEqualTo("1");

			// The server learns that a client left when writing to it fails, so transfers are
			// made until the slot is free; the failed writes must not keep the second stream
			// from any of them.
			first.close();
			EventStream third = await().atMost(EventStream.BOUND).until(() -> {
				limited.transfer(this.alice, this.bob, 1).expect(201);
				EventStream opened = limited.openEventStream(STREAM);
				if (opened.status() != 503) {
					return opened;
				}
				opened.close();
				return null;
			}, (opened) -> opened != null);
			try (third) {
				third.awaitOpen();
				long last = limited.transfer(this.alice, this.bob, 1).expect(201).get("id").asLong();
				third.awaitEvent("the last transfer", isTransfer(last));
				List<Event> relayed = second.awaitEvent("the last transfer", isTransfer(last));
				List<Long> ids = limited.get("/accounts/" + this.bob + "/transfers?limit=500").expect(200)
					.valueStream()
					.map((transfer) -> transfer.get("id").asLong())
					.sorted()
					.toList();
				assertThat(transfersBetween(relayed, this.alice, this.bob)).extracting(Announced::id)
					.containsExactlyElementsOf(ids);
			}
		}
	}

	/**
	 * The index of the first event that matches, failing when none does.
	 */
	private static int indexOf(List<Event> events, Predicate<Event> predicate) {
		for (int i = 0; i < events.size(); i++) {
			if (predicate.test(events.get(i))) {
				return i;
			}
		}
		throw new AssertionError("No such event in " + events);
	}

	private static Predicate<Event> isTransfer(long id) {
		return (event) -> event.name().equals("transfer") && jsonMapper.readTree(event.data()).get("id").asLong() == id;
	}

	/**
	 * The transfer events between two accounts, as JSON; a transfer an earlier test made may
	 * still be relayed after a stream opens, so the accounts tell this test's own.
	 */
	private static List<Announced> transfersBetween(List<Event> events, long account, long other) {
		Set<Long> accounts = Set.of(account, other);
		return events.stream()
			.filter((event) -> event.name().equals("transfer"))
			.map(Announced::of)
			.filter((announced) -> accounts.contains(announced.from()) && accounts.contains(announced.to()))
			.toList();
	}

	private static RunningLedger ledger() {
		return fixture.ledger();
	}

	/**
	 * A transfer as a stream announces it: the JSON of a transfer event, which has these fields
	 * and no others, or the transfer the API answered with.
	 */
	private record Announced(long id, long from, long to, long amount) {

		static Announced of(Event event) {
			JsonNode json = jsonMapper.readTree(event.data());
			assertThat(json.propertyNames()).containsExactlyInAnyOrder("id", "from", "to", "amount");
			return of(json);
		}

		static Announced of(JsonNode json) {
			return new Announced(json.get("id").asLong(), json.get("from").asLong(), json.get("to").asLong(),
					json.get("amount").asLong());
		}

	}

}
