package com.example.ledger;

import java.net.URI;
import java.net.http.HttpRequest.BodyPublisher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.managedconnection.testsupport.TestDatabase;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The ledger application started in this JVM on a random loopback port, as {@code java -jar}
 * would start it, with a {@link LedgerClient} to call it; closing it stops the application.
 */
public final class RunningLedger implements AutoCloseable {

	private static final List<String> DEFAULT_ARGS = List.of("--server.port=0", "--server.address=127.0.0.1",
			"--spring.main.banner-mode=off");

	private final ConfigurableApplicationContext context;

	private final LedgerClient client;

	private RunningLedger(ConfigurableApplicationContext context) {
		this.context = context;
		this.client = new LedgerClient(
				URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port")));
	}

	/**
	 * Start the application on a test database.
	 * @param database the database
	 * @param args more command-line arguments
	 * @return the running application
	 */
	public static RunningLedger on(TestDatabase database, String... args) {
		return on(database.url(), database.username(), database.password(), args);
	}

	/**
	 * Start the application on a database.
	 * @param url the JDBC URL
	 * @param username the user name
	 * @param password the password
	 * @param args more command-line arguments
	 * @return the running application
	 */
	public static RunningLedger on(String url, String username, String password, String... args) {
		List<String> all = new ArrayList<>(List.of("--spring.datasource.url=" + url,
				"--spring.datasource.username=" + username, "--spring.datasource.password=" + password));
		all.addAll(Arrays.asList(args));
		return start(all.toArray(String[]::new));
	}

	/**
	 * Start the application with the given command-line arguments, plus a random port on the
	 * loopback interface unless they say otherwise.
	 * @param args the command-line arguments
	 * @return the running application
	 */
	public static RunningLedger start(String... args) {
		List<String> all = new ArrayList<>(Arrays.asList(args));
		for (String defaultArg : DEFAULT_ARGS) {
			String name = defaultArg.substring(0, defaultArg.indexOf('=') + 1);
			if (all.stream().noneMatch((arg) -> arg.startsWith(name))) {
				all.add(defaultArg);
			}
		}
		return new RunningLedger(new SpringApplicationBuilder(LedgerApplication.class).run(all.toArray(String[]::new)));
	}

	public ConfigurableApplicationContext context() {
		return this.context;
	}

	public URI baseUri() {
		return this.client.baseUri();
	}

	public Response get(String path, String... headers) {
		return this.client.get(path, headers);
	}

	public EventStream openEventStream(String path) {
		return this.client.openEventStream(path);
	}

	public Response post(String path, String json, String... headers) {
		return this.client.post(path, json, headers);
	}

	public Response post(String path, BodyPublisher body, String contentType, String... headers) {
		return this.client.post(path, body, contentType, headers);
	}

	/**
	 * Open an account, which must succeed.
	 * @param owner who owns it
	 * @param balance the opening balance in cents
	 * @return the account's id
	 */
	public long openAccount(String owner, long balance) {
		return post("/accounts", "{\"owner\": \"" + owner + "\", \"balance\": " + balance + "}").expect(201)
			.get("id")
			.asLong();
	}

	/**
	 * Ask for a transfer.
	 * @param from the account to debit
	 * @param to the account to credit
	 * @param amount the amount in cents
	 * @param headers more header names and values, alternating, such as an Idempotency-Key
	 * @return the response
	 */
	public Response transfer(long from, long to, long amount, String... headers) {
		return post("/transfers", "{\"from\": " + from + ", \"to\": " + to + ", \"amount\": " + amount + "}",
				headers);
	}

	public CompletableFuture<Response> postAsync(String path, String json, String... headers) {
		return this.client.postAsync(path, json, headers);
	}

	@Override
	public void close() {
		this.context.close();
	}

}
