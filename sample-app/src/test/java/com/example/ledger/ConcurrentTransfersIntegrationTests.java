package com.example.ledger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The bank check over real HTTP: 32 clients make random transfers between a few accounts at
 * once, some retried with the same Idempotency-Key (one after the other, or both at once), then
 * the ledger must add up: the total is unchanged, no balance is negative, every transfer that
 * was answered 201 is in the ledger exactly once and nothing else is, each balance is its
 * opening balance plus what the acknowledged transfers moved, and all of it ran on one
 * PostgreSQL backend.
 */
class ConcurrentTransfersIntegrationTests {

	private static final int CLIENTS = 32;

	private static final int TRANSFERS_PER_CLIENT = 25;

	private static final int ACCOUNTS = 8;

	private static final long OPENING_BALANCE = 10_000;

	private static final int MAX_AMOUNT = 3_000;

	private static final Duration TIME_LIMIT = Duration.ofSeconds(180);

	@RegisterExtension
	static final LedgerOnDatabase fixture = new LedgerOnDatabase();

	@Test
	@Timeout(300)
	void concurrentTransfersWithRetriesKeepTheLedgerConsistentOnOneBackend() throws Exception {
		List<Long> accounts = new ArrayList<>();
		for (int i = 0; i < ACCOUNTS; i++) {
			accounts.add(ledger().openAccount("owner-" + i, OPENING_BALANCE));
		}
		AtomicInteger retries = new AtomicInteger();
		List<Acknowledged> acknowledged = runClients(accounts, retries);

		assertThat(retries).as("retries sent").hasPositiveValue();
		assertThat(acknowledged).as("acknowledged transfers").isNotEmpty();
		long expectedTotal = ACCOUNTS * OPENING_BALANCE;
		assertThat(ledger().get("/ledger/total").expect(200).get("total").asLong()).isEqualTo(expectedTotal);
		assertThat(sql().sql("SELECT sum(balance) FROM account").query(Long.class).single()).isEqualTo(expectedTotal);
		assertThat(sql().sql("SELECT count(*) FROM account WHERE balance < 0").query(Long.class).single()).isZero();
		assertEveryAcknowledgedTransferIsInTheLedgerExactlyOnce(acknowledged);
		assertBalancesFollowTheAcknowledgedTransfers(accounts, acknowledged);
		assertAllWorkRanOnOneBackend();
	}

	private List<Acknowledged> runClients(List<Long> accounts, AtomicInteger retries) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(CLIENTS);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<List<Acknowledged>>> clients = new ArrayList<>();
			for (int i = 0; i < CLIENTS; i++) {
				int client = i;
				clients.add(executor.submit(() -> {
					start.await();
					return runClient(client, accounts, retries);
				}));
			}
			start.countDown();
			long deadline = System.nanoTime() + TIME_LIMIT.toNanos();
			List<Acknowledged> acknowledged = new ArrayList<>();
			for (Future<List<Acknowledged>> client : clients) {
				acknowledged.addAll(client.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS));
			}
			return acknowledged;
		}
		finally {
			executor.shutdownNow();
			assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
		}
	}

	/**
	 * One client: transfers between random accounts, each with its own key; about one in four is
	 * sent again after its answer, and about one in eight is sent twice at once.
	 */
	private static List<Acknowledged> runClient(int client, List<Long> accounts, AtomicInteger retries) {
		Random random = new Random(client);
		List<Acknowledged> acknowledged = new ArrayList<>();
		for (int i = 0; i < TRANSFERS_PER_CLIENT; i++) {
			long from = accounts.get(random.nextInt(ACCOUNTS));
			long to = accounts.get(random.nextInt(ACCOUNTS - 1));
			to = (to == from) ? accounts.get(ACCOUNTS - 1) : to;
			long amount = 1 + random.nextInt(MAX_AMOUNT);
			String key = "client-" + client + "-transfer-" + i;
			String body = "{\"from\": " + from + ", \"to\": " + to + ", \"amount\": " + amount + "}";
			int shape = random.nextInt(8);
			List<Response> answers = new ArrayList<>();
			if (shape == 0) {
				retries.incrementAndGet();
				CompletableFuture<Response> first = ledger().postAsync("/transfers", body, "Idempotency-Key", key);
				CompletableFuture<Response> second = ledger().postAsync("/transfers", body, "Idempotency-Key", key);
				answers.add(first.join());
				answers.add(second.join());
			}
			else {
				answers.add(ledger().post("/transfers", body, "Idempotency-Key", key));
				if (shape <= 2) {
					retries.incrementAndGet();
					answers.add(ledger().post("/transfers", body, "Idempotency-Key", key));
				}
			}
			Long transferId = null;
			for (Response answer : answers) {
				if (answer.status() == 201) {
					JsonNode transfer = answer.json();
					long id = transfer.get("id").asLong();
					// Every 201 for one key names the same transfer, however many times it was sent.
					assertThat(transferId).as("transfer for key %s", key).isIn(null, id);
					assertThat(transfer.get("amount").asLong()).isEqualTo(amount);
					transferId = id;
				}
				else if (answer.status() != 409) {
					fail("Unexpected answer %d to %s: %s", answer.status(), key, answer.body());
				}
				else {
					answer.expectProblem(409, "insufficient-funds");
				}
			}
			if (transferId != null) {
				acknowledged.add(new Acknowledged(transferId, key, from, to, amount));
			}
		}
		return acknowledged;
	}

	private static void assertEveryAcknowledgedTransferIsInTheLedgerExactlyOnce(List<Acknowledged> acknowledged) {
		List<Acknowledged> ledgerRows = sql()
			.sql("SELECT id, idempotency_key, from_account, to_account, amount FROM transfer ORDER BY id")
			.query((row, rowNumber) -> new Acknowledged(row.getLong("id"), row.getString("idempotency_key"),
					row.getLong("from_account"), row.getLong("to_account"), row.getLong("amount")))
			.list();
		assertThat(ledgerRows).containsExactlyInAnyOrderElementsOf(acknowledged);
	}

	private static void assertBalancesFollowTheAcknowledgedTransfers(List<Long> accounts,
			List<Acknowledged> acknowledged) {
		Map<Long, Long> expected = new HashMap<>();
		accounts.forEach((account) -> expected.put(account, OPENING_BALANCE));
		for (Acknowledged transfer : acknowledged) {
			expected.merge(transfer.from(), -transfer.amount(), Long::sum);
			expected.merge(transfer.to(), transfer.amount(), Long::sum);
		}
		Map<Long, Long> actual = new HashMap<>();
		sql().sql("SELECT id, balance FROM account")
			.query((RowCallbackHandler) (row) -> actual.put(row.getLong("id"), row.getLong("balance")));
		assertThat(actual).isEqualTo(expected);
	}

	private static void assertAllWorkRanOnOneBackend() {
		List<Integer> transferBackends = sql().sql("SELECT DISTINCT backend_pid FROM transfer")
			.query(Integer.class)
			.list();
		assertThat(transferBackends).hasSize(1);
		// The ledger's connections to its database, other than the one asking.
		List<Integer> ledgerBackends = sql()
			.sql("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
			.query(Integer.class)
			.list();
		assertThat(ledgerBackends).isEqualTo(transferBackends);
	}

	/**
	 * A transfer answered with 201, or a transfer row in the ledger.
	 */
	private record Acknowledged(long id, String key, long from, long to, long amount) {
	}

	private static RunningLedger ledger() {
		return fixture.ledger();
	}

	private static JdbcClient sql() {
		return fixture.sql();
	}

}
