package com.example.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With its database stopped, the ledger answers 503 problems and writes nothing; once the
 * database is back on the same port, the managed connection reconnects by itself and the
 * ledger carries on where it stopped.
 * <p>
 * The server is this test's own embedded PostgreSQL, never the shared one, started with a fixed
 * port and data directory (rather than {@code TestPostgres.startEmbeddedServer()}, which picks
 * new ones) so that it can be restarted with its data.
 */
@Timeout(180)
class DatabaseUnavailableIntegrationTests {

	@TempDir(cleanup = CleanupMode.ALWAYS)
	Path dataDirectory;

	private int port;

	private EmbeddedPostgres server;

	@BeforeEach
	void startServer() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			this.port = socket.getLocalPort();
		}
		this.server = start();
	}

	@AfterEach
	void stopServer() throws IOException {
		this.server.close();
	}

	@Test
	void answersServiceUnavailableWhileTheDatabaseIsDownAndRecoversWhenItIsBack() throws IOException {
		// Each request waits up to the acquire timeout for a connection that cannot be opened.
		try (RunningLedger ledger = RunningLedger.on("jdbc:postgresql://127.0.0.1:" + this.port + "/postgres",
				"postgres", "", "--managed-connection.acquire-timeout=2s")) {
			long alice = open(ledger, "alice", 1_000);
			long bob = open(ledger, "bob", 0);
			long before = ledger.post("/transfers", transferBody(alice, bob, 100), "Idempotency-Key", "before")
				.expect(201)
				.get("id")
				.asLong();

			this.server.close();
			Response transfer = ledger.post("/transfers", transferBody(alice, bob, 100), "Idempotency-Key", "during");
			transfer.expectProblem(503, "database-unavailable");
			assertThat(transfer.header("Retry-After")).isEqualTo("1");
			ledger.post("/accounts", "{\"owner\": \"carol\", \"balance\": 1}").expectProblem(503, "database-unavailable");
			ledger.get("/accounts/" + alice).expectProblem(503, "database-unavailable");
			ledger.get("/accounts/" + alice + "/transfers").expectProblem(503, "database-unavailable");
			ledger.get("/transfers/" + before).expectProblem(503, "database-unavailable");
			ledger.get("/ledger/total").expectProblem(503, "database-unavailable");
			assertThat(ledger.get("/actuator/health").status()).isEqualTo(503);

			this.server = start();
			ledger.post("/transfers", transferBody(alice, bob, 100), "Idempotency-Key", "during").expect(201);
			assertThat(ledger.get("/accounts/" + alice).expect(200).get("balance").asLong()).isEqualTo(800);
			assertThat(ledger.get("/accounts/" + bob).expect(200).get("balance").asLong()).isEqualTo(200);
			assertThat(ledger.get("/accounts/" + alice + "/transfers").expect(200)).hasSize(2);
			assertThat(ledger.get("/ledger/total").expect(200).get("total").asLong()).isEqualTo(1_000);
			assertThat(ledger.get("/actuator/health").expect(200).get("status").asString()).isEqualTo("UP");
		}
	}

	private EmbeddedPostgres start() {
		try {
			return EmbeddedPostgres.builder()
				.setPort(this.port)
				.setDataDirectory(this.dataDirectory)
				.setCleanDataDirectory(false)
				.setRegisterShutdownHook(false)
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static long open(RunningLedger ledger, String owner, long balance) {
		return ledger.post("/accounts", "{\"owner\": \"" + owner + "\", \"balance\": " + balance + "}")
			.expect(201)
			.get("id")
			.asLong();
	}

	private static String transferBody(long from, long to, long amount) {
		return "{\"from\": " + from + ", \"to\": " + to + ", \"amount\": " + amount + "}";
	}

}
