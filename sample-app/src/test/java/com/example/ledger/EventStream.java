package com.example.ledger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Server-Sent Events stream from the {@link RunningLedger}, read line by line on a thread of
 * its own: each {@code event:}/{@code data:} block becomes an {@link Event}, each comment line is
 * counted. Closing it closes the connection.
 */
public final class EventStream implements AutoCloseable {

	/** How long to wait for the stream to open, or for an event. */
	static final Duration BOUND = Duration.ofSeconds(30);

	private final HttpResponse<InputStream> response;

	private final List<Event> events = new CopyOnWriteArrayList<>();

	private final List<String> comments = new CopyOnWriteArrayList<>();

	private final Thread reader;

	private volatile boolean ended;

	EventStream(HttpResponse<InputStream> response) {
		this.response = response;
		this.reader = new Thread(this::read, "event-stream-" + response.uri().getPath());
		this.reader.setDaemon(true);
		this.reader.start();
	}

	/**
	 * Return the HTTP status.
	 * @return the status
	 */
	public int status() {
		return this.response.statusCode();
	}

	public @Nullable String header(String name) {
		return this.response.headers().firstValue(name).orElse(null);
	}

	/**
	 * Wait until the stream is open and has said so with its first comment line.
	 * @return this stream
	 */
	public EventStream awaitOpen() {
		assertThat(status()).isEqualTo(200);
		assertThat(header("Content-Type")).startsWith("text/event-stream");
		await().atMost(BOUND).until(() -> !this.comments.isEmpty());
		return this;
	}

	/**
	 * Wait until an event matching the predicate has arrived, failing if the stream ends first.
	 * @param description what is awaited, for the failure message
	 * @param predicate the event to wait for
	 * @return every event received so far
	 */
	public List<Event> awaitEvent(String description, Predicate<Event> predicate) {
		await().alias(description)
			.atMost(BOUND)
			.until(() -> this.events.stream().anyMatch(predicate) || this.ended);
		assertThat(this.events).as("events of the stream, awaiting %s", description).anyMatch(predicate);
		return events();
	}

	/**
	 * Return the events received so far, in order.
	 * @return the events
	 */
	public List<Event> events() {
		return List.copyOf(this.events);
	}

	/**
	 * Return whether the server ended the stream (or the connection broke).
	 * @return whether it ended
	 */
	public boolean ended() {
		return this.ended;
	}

	private void read() {
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(this.response.body(), StandardCharsets.UTF_8))) {
			String name = "message";
			List<String> data = new ArrayList<>();
			for (String line = lines.readLine(); line != null; line = lines.readLine()) {
				if (line.isEmpty()) {
					if (!data.isEmpty()) {
						this.events.add(new Event(name, String.join("\n", data)));
					}
					name = "message";
					data.clear();
				}
				else if (line.startsWith(":")) {
					this.comments.add(line.substring(1));
				}
				else if (line.startsWith("event:")) {
					name = field(line);
				}
				else if (line.startsWith("data:")) {
					data.add(field(line));
				}
			}
		}
		catch (IOException ex) {
			// Closed by close(), or by the server.
		}
		finally {
			this.ended = true;
		}
	}

	/**
	 * The value of a {@code name:value} line, without the one space that may follow the colon.
	 */
	private static String field(String line) {
		String value = line.substring(line.indexOf(':') + 1);
		return value.startsWith(" ") ? value.substring(1) : value;
	}

	@Override
	public void close() {
		try {
			this.response.body().close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * One event of the stream.
	 *
	 * @param name its {@code event:} name, {@code message} when it had none
	 * @param data its {@code data:} lines, joined by line feeds
	 */
	public record Event(String name, String data) {

	}

}
