package com.example.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls the ledger over real HTTP with the JDK's {@link HttpClient}; every request is bounded in
 * time.
 */
public final class LedgerClient {

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

	private final URI baseUri;

	private final HttpClient httpClient;

	/**
	 * Create a client.
	 * @param baseUri the root of the ledger, such as {@code http://127.0.0.1:8080}
	 */
	public LedgerClient(URI baseUri) {
		this.baseUri = baseUri;
		this.httpClient = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(10))
			.build();
	}

	public URI baseUri() {
		return this.baseUri;
	}

	/**
	 * Send a GET request.
	 * @param path the path, from the root
	 * @param headers header names and values, alternating
	 * @return the response
	 */
	public Response get(String path, String... headers) {
		HttpRequest.Builder request = request(path).GET();
		if (headers.length > 0) {
			request.headers(headers);
		}
		return send(request.build());
	}

	/**
	 * Open a Server-Sent Events stream, waiting only for the response's headers.
	 * @param path the path, from the root
	 * @return the stream, read as it arrives
	 */
	public EventStream openEventStream(String path) {
		// No request timeout: it would end the stream. Only the wait for the headers is bounded.
		HttpRequest request = HttpRequest.newBuilder(this.baseUri.resolve(path))
			.header("Accept", "text/event-stream")
			.GET()
			.build();
		try {
			return new EventStream(this.httpClient.sendAsync(request, BodyHandlers.ofInputStream())
				.get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("Could not open " + request.uri(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while opening " + request.uri(), ex);
		}
	}

	/**
	 * Send a POST request with a JSON body.
	 * @param path the path, from the root
	 * @param json the body
	 * @param headers more header names and values, alternating
	 * @return the response
	 */
	public Response post(String path, String json, String... headers) {
		return send(postRequest(path, BodyPublishers.ofString(json), "application/json", headers));
	}

	/**
	 * Send a POST request.
	 * @param path the path, from the root
	 * @param body the body
	 * @param contentType the content type
	 * @param headers more header names and values, alternating
	 * @return the response
	 */
	public Response post(String path, BodyPublisher body, String contentType, String... headers) {
		return send(postRequest(path, body, contentType, headers));
	}

	/**
	 * Send a POST request with a JSON body without waiting for the answer.
	 * @param path the path, from the root
	 * @param json the body
	 * @param headers more header names and values, alternating
	 * @return the response, later
	 */
	public CompletableFuture<Response> postAsync(String path, String json, String... headers) {
		return this.httpClient
			.sendAsync(postRequest(path, BodyPublishers.ofString(json), "application/json", headers), BodyHandlers.ofString())
			.thenApply(Response::new);
	}

	private HttpRequest postRequest(String path, BodyPublisher body, String contentType, String... headers) {
		HttpRequest.Builder request = request(path).POST(body).header("Content-Type", contentType);
		if (headers.length > 0) {
			request.headers(headers);
		}
		return request.build();
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(this.baseUri.resolve(path)).timeout(REQUEST_TIMEOUT);
	}

	private Response send(HttpRequest request) {
		try {
			return new Response(this.httpClient.send(request, BodyHandlers.ofString()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for " + request.uri(), ex);
		}
	}

}
