package com.example.ledger;

import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.managedconnection.ManagedConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Jepsen bank check under faults, over real HTTP: 32 clients transfer money between a few
 * accounts for a bounded time (30 s, or {@code -Dledger.soak.duration=5m} for a longer run)
 * while a side thread kills the ledger's PostgreSQL backend every 2 seconds.
 * <p>
 * Each client behaves as a real one should: every transfer carries an Idempotency-Key, and an
 * answer that is not definite (503, with or without {@code outcome-unknown}, or no answer at
 * all) is retried with the same key after the {@code Retry-After} delay. The killing stops at
 * the end of the run so that pending retries can settle. Then:
 * <ul>
 * <li>the total is conserved and no balance is negative;</li>
 * <li>every acknowledged (201) transfer is in the ledger exactly once, as acknowledged;</li>
 * <li>every transfer whose last answer was a definite refusal, or only ever "database
 * unavailable", is absent;</li>
 * <li>every other unacknowledged transfer was reported as outcome unknown (or got no answer),
 * and is in the ledger at most once;</li>
 * <li>the ledger holds nothing else, and the balances are what its transfers make them;</li>
 * <li>no request failed with a 500, the kills did reach the clients, and the ledger serves again
 * afterwards.</li>
 * </ul>
 */
class BankSoakIntegrationTests {

	private static final Duration DURATION = DurationStyle
		.detectAndParse(System.getProperty("ledger.soak.duration", "30s"));

	private static final Duration KILL_INTERVAL = Duration.ofSeconds(2);

	private static final int CLIENTS = 32;

	private static final int ACCOUNTS = 8;

	private static final long OPENING_BALANCE = 10_000;

	private static final int MAX_AMOUNT = 3_000;

	private static final int MAX_ATTEMPTS = 10;

	@RegisterExtension
	static final LedgerOnDatabase fixture = new LedgerOnDatabase();

	@Test
	void transfersStayExactlyOnceAndTheTotalIsConservedWhileTheBackendIsKilledEveryTwoSeconds() throws Exception {
		List<Long> accounts = new ArrayList<>();
		for (int i = 0; i < ACCOUNTS; i++) {
			accounts.add(ledger().openAccount("owner-" + i, OPENING_BALANCE));
		}
		Map<String, Attempt> attempts = new ConcurrentHashMap<>();
		AtomicInteger kills = new AtomicInteger();
		List<Throwable> killerFailures = new CopyOnWriteArrayList<>();
		long deadline = System.nanoTime() + DURATION.toNanos();
		ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
		ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
		try (Connection admin = fixture.database().connect()) {
			// Kills stop at the deadline, so that the retries still pending can settle.
			killer.scheduleAtFixedRate(() -> {
				if (System.nanoTime() < deadline) {
					killLedgerBackend(admin, kills, killerFailures);
				}
			}, KILL_INTERVAL.toMillis(), KILL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> running = new ArrayList<>();
			for (int i = 0; i < CLIENTS; i++) {
				int client = i;
				running.add(clients.submit(() -> {
					start.await();
					runClient(client, accounts, deadline, attempts);
					return null;
				}));
			}
			start.countDown();
			// Each client stops starting transfers at the deadline; a pending one takes at most
			// MAX_ATTEMPTS answers, each within the acquire timeout, plus the Retry-After delays.
			long bound = deadline + TimeUnit.MINUTES.toNanos(3);
			for (Future<?> client : running) {
				client.get(Math.max(0, bound - System.nanoTime()), TimeUnit.NANOSECONDS);
			}
		}
		finally {
			killer.shutdownNow();
			clients.shutdownNow();
			assertThat(killer.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
			assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
		}
		assertThat(killerFailures).isEmpty();
		Summary summary = Summary.of(attempts.values());
		System.out.println("Bank soak: " + DURATION + ", " + CLIENTS + " clients, " + kills + " backends killed; "
				+ summary);

		assertThat(kills.get()).as("backends killed").isGreaterThanOrEqualTo(minimumKills());
		assertThat(summary.acknowledged).as("acknowledged transfers").isPositive();
		assertThat(summary.notDefiniteAnswers).as("answers that were 503 or missing").isPositive();
		assertThat(summary.serverErrors).as("500 answers").isEmpty();
		assertTotalConservedAndNoBalanceNegative();
		assertLedgerMatchesTheAnswers(attempts);
		assertBalancesFollowTheLedger(accounts);
		assertThat(sql().sql("SELECT count(DISTINCT backend_pid) FROM transfer").query(Long.class).single())
			.as("backends that wrote transfers")
			.isGreaterThan(1);
		ledger().post("/transfers", "{\"from\": " + accounts.get(0) + ", \"to\": " + accounts.get(1) + ", \"amount\": 1}",
				"Idempotency-Key", "after-the-soak")
			.expect(201);
		assertThat(ledger().get("/actuator/health").expect(200).get("status").asString()).isEqualTo("UP");
	}

	private static int minimumKills() {
		// One kill per interval, less a few for the first interval and a slow machine.
		return (int) Math.max(3, DURATION.dividedBy(KILL_INTERVAL) - 3);
	}

	/**
	 * Kill the ledger's backend, found by the PID its managed connection reports, in this
	 * test's database only.
	 */
	private static void killLedgerBackend(Connection admin, AtomicInteger kills, List<Throwable> failures) {
		int pid = ledger().context().getBean(ManagedConnection.class).state().backendPid();
		if (pid <= 0) {
			// Closed: the last kill's victim has not been replaced yet.
			return;
		}
		try (PreparedStatement kill = admin.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
				+ "WHERE pid = ? AND datname = current_database()")) {
			kill.setInt(1, pid);
			try (ResultSet killed = kill.executeQuery()) {
				if (killed.next() && killed.getBoolean(1)) {
					kills.incrementAndGet();
				}
			}
		}
		catch (SQLException | RuntimeException ex) {
			failures.add(ex);
		}
	}

	/**
	 * One client: random transfers, each with its own key, until the deadline.
	 */
	private static void runClient(int client, List<Long> accounts, long deadline, Map<String, Attempt> attempts)
			throws InterruptedException {
		Random random = new Random(client);
		for (int i = 0; System.nanoTime() < deadline; i++) {
			long from = accounts.get(random.nextInt(ACCOUNTS));
			long to = accounts.get(random.nextInt(ACCOUNTS - 1));
			to = (to == from) ? accounts.get(ACCOUNTS - 1) : to;
			Attempt attempt = new Attempt("client-" + client + "-transfer-" + i, from, to, 1 + random.nextInt(MAX_AMOUNT));
			attempts.put(attempt.key, attempt);
			attempt.send();
		}
	}

	private static void assertTotalConservedAndNoBalanceNegative() {
		long expectedTotal = ACCOUNTS * OPENING_BALANCE;
		assertThat(sql().sql("SELECT sum(balance) FROM account").query(Long.class).single()).isEqualTo(expectedTotal);
		assertThat(ledger().get("/ledger/total").expect(200).get("total").asLong()).isEqualTo(expectedTotal);
		assertThat(sql().sql("SELECT count(*) FROM account WHERE balance < 0").query(Long.class).single()).isZero();
	}

	private static void assertLedgerMatchesTheAnswers(Map<String, Attempt> attempts) {
		Map<String, Row> rows = new HashMap<>();
		sql().sql("SELECT id, idempotency_key, from_account, to_account, amount FROM transfer")
			.query((RowCallbackHandler) (row) -> {
				Row previous = rows.put(row.getString("idempotency_key"), new Row(row.getLong("id"),
						row.getLong("from_account"), row.getLong("to_account"), row.getLong("amount")));
				assertThat(previous).as("another row with key %s", row.getString("idempotency_key")).isNull();
			});
		assertThat(attempts.keySet()).as("keys sent").containsAll(rows.keySet());
		for (Attempt attempt : attempts.values()) {
			Row row = rows.get(attempt.key);
			switch (attempt.outcome()) {
				case ACKNOWLEDGED -> {
					// A replay means an earlier request applied the transfer: its answer must not
					// have claimed that nothing was applied.
					assertThat(!attempt.replayed || attempt.maybeApplied)
						.as("earlier answers of replayed %s allow that it was applied", attempt)
						.isTrue();
					assertThat(row).as("row of acknowledged %s", attempt).isNotNull();
					assertThat(row).isEqualTo(new Row(attempt.acknowledgedId, attempt.from, attempt.to, attempt.amount));
				}
				case REFUSED, UNAVAILABLE -> assertThat(row).as("row of %s", attempt).isNull();
				case UNKNOWN -> {
					if (row != null) {
						assertThat(row).isEqualTo(new Row(row.id(), attempt.from, attempt.to, attempt.amount));
					}
				}
			}
		}
	}

	private static void assertBalancesFollowTheLedger(List<Long> accounts) {
		Map<Long, Long> expected = new HashMap<>();
		accounts.forEach((account) -> expected.put(account, OPENING_BALANCE));
		sql().sql("SELECT from_account, to_account, amount FROM transfer").query((RowCallbackHandler) (row) -> {
			expected.merge(row.getLong("from_account"), -row.getLong("amount"), Long::sum);
			expected.merge(row.getLong("to_account"), row.getLong("amount"), Long::sum);
		});
		Map<Long, Long> actual = new HashMap<>();
		sql().sql("SELECT id, balance FROM account")
			.query((RowCallbackHandler) (row) -> actual.put(row.getLong("id"), row.getLong("balance")));
		assertThat(actual).isEqualTo(expected);
	}

	/**
	 * How a transfer ended for its client.
	 */
	enum Outcome {

		/** Answered 201: it must be in the ledger exactly once. */
		ACKNOWLEDGED,

		/** Answered with a refusal (4xx) after any number of 503s: it must be absent. */
		REFUSED,

		/** Only ever answered "database unavailable": nothing was applied, so it must be absent. */
		UNAVAILABLE,

		/** Out of attempts after an outcome-unknown answer or none at all: absent or there once. */
		UNKNOWN

	}

	/**
	 * One transfer and every answer its client got, retrying with the same key.
	 */
	static final class Attempt {

		private final String key;

		private final long from;

		private final long to;

		private final long amount;

		private final List<String> answers = new ArrayList<>();

		private long acknowledgedId = -1;

		private boolean replayed;

		private boolean refused;

		private boolean maybeApplied;

		Attempt(String key, long from, long to, long amount) {
			this.key = key;
			this.from = from;
			this.to = to;
			this.amount = amount;
		}

		/**
		 * Send until the answer is definite, as a careful client would.
		 */
		void send() throws InterruptedException {
			String body = "{\"from\": " + this.from + ", \"to\": " + this.to + ", \"amount\": " + this.amount + "}";
			for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
				Response response;
				try {
					response = ledger().post("/transfers", body, "Idempotency-Key", this.key);
				}
				catch (UncheckedIOException ex) {
					this.answers.add("no answer");
					this.maybeApplied = true;
					continue;
				}
				String answer = answerOf(response);
				this.answers.add(answer);
				if (response.status() == 201) {
					JsonNode transfer = response.json();
					assertThat(transfer.get("amount").asLong()).isEqualTo(this.amount);
					this.acknowledgedId = transfer.get("id").asLong();
					this.replayed = answer.equals("201 replayed");
					return;
				}
				if (response.status() >= 400 && response.status() < 500) {
					// A refusal (here, insufficient funds) wrote nothing: not retried.
					this.refused = true;
					return;
				}
				if (!answer.equals("503 database-unavailable")) {
					// Outcome unknown, or unexpected (a 500 fails the test): it may have been applied.
					this.maybeApplied = true;
				}
				String retryAfter = response.header("Retry-After");
				// A client obeying the server's Retry-After is the behaviour under test: it waits
				// out the time the server asked for, not a condition, so there is nothing to await.
				TimeUnit.SECONDS.sleep((retryAfter != null) ? Long.parseLong(retryAfter) : 1);
			}
		}

		private static String answerOf(Response response) {
			if (response.status() == 201) {
				return "true".equals(response.header("Idempotent-Replayed")) ? "201 replayed" : "201";
			}
			JsonNode problem = response.expectProblem(response.status());
			String type = problem.get("type").asString();
			return response.status() + " " + type.substring(type.lastIndexOf('/') + 1);
		}

		Outcome outcome() {
			if (this.acknowledgedId != -1) {
				return Outcome.ACKNOWLEDGED;
			}
			if (this.refused) {
				return Outcome.REFUSED;
			}
			return this.maybeApplied ? Outcome.UNKNOWN : Outcome.UNAVAILABLE;
		}

		@Override
		public String toString() {
			return this.key + " (" + this.from + " -> " + this.to + ", " + this.amount + "): " + this.answers;
		}

	}

	/**
	 * A transfer row in the ledger.
	 */
	record Row(long id, long from, long to, long amount) {
	}

	/**
	 * Counts over all attempts, for the assertions and the log.
	 */
	record Summary(long transfers, long acknowledged, long refused, long unavailable, long unknown,
			long notDefiniteAnswers, long outcomeUnknownAnswers, long replays, List<String> serverErrors) {

		static Summary of(Iterable<Attempt> attempts) {
			Map<Outcome, Long> outcomes = new HashMap<>();
			long transfers = 0;
			long notDefinite = 0;
			long outcomeUnknown = 0;
			long replays = 0;
			List<String> serverErrors = new ArrayList<>();
			for (Attempt attempt : attempts) {
				transfers++;
				outcomes.merge(attempt.outcome(), 1L, Long::sum);
				for (String answer : attempt.answers) {
					notDefinite += (answer.startsWith("503") || answer.equals("no answer")) ? 1 : 0;
					outcomeUnknown += answer.equals("503 outcome-unknown") ? 1 : 0;
					replays += answer.equals("201 replayed") ? 1 : 0;
					if (answer.startsWith("5") && !answer.startsWith("503")) {
						serverErrors.add(attempt.toString());
					}
				}
			}
			return new Summary(transfers, outcomes.getOrDefault(Outcome.ACKNOWLEDGED, 0L),
					outcomes.getOrDefault(Outcome.REFUSED, 0L), outcomes.getOrDefault(Outcome.UNAVAILABLE, 0L),
					outcomes.getOrDefault(Outcome.UNKNOWN, 0L), notDefinite, outcomeUnknown, replays, serverErrors);
		}

		@Override
		public String toString() {
			return this.transfers + " transfers: " + this.acknowledged + " acknowledged, " + this.refused
					+ " refused, " + this.unavailable + " unavailable, " + this.unknown + " unknown; "
					+ this.notDefiniteAnswers + " answers 503 or none, of which " + this.outcomeUnknownAnswers
					+ " outcome-unknown; " + this.replays + " retries answered with the transfer already applied";
		}

	}

	private static RunningLedger ledger() {
		return fixture.ledger();
	}

	private static JdbcClient sql() {
		return fixture.sql();
	}

}
