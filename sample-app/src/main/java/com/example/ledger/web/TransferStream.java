package com.example.ledger.web;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.example.ledger.bank.TransferNotifications;
import dev.managedconnection.annotation.NotificationChannelResubscribedEvent;
import dev.managedconnection.annotation.PostgresNotificationListener;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The open {@code GET /transfers/stream} answers, and the relay that sends each of them every
 * transfer announced on {@link TransferNotifications#CHANNEL}.
 * <p>
 * The notifications arrive through the managed connection itself, which listens on the channel
 * between the scopes of its holders: no second connection. They come on its one notification
 * thread, in commit order, and are sent to every stream from there, so a stream whose client
 * went away is dropped without keeping the others from theirs. (A client that stays connected
 * but stops reading holds that thread up once its socket buffers are full, until the write
 * fails or times out: one thread keeps the order simple, at that cost.) Notifications sent
 * while the connection was down are lost; when it listens again each stream gets a
 * {@code resync} event, for the client to read again what it shows.
 * <p>
 * At most {@link TransferStreamProperties#maxStreams()} streams are open at once: every one is a
 * request the server keeps open, and every notification is written to each.
 */
@Component
class TransferStream {

	/** The event that carries a transfer's JSON. */
	static final String TRANSFER_EVENT = "transfer";

	/** The event that says transfers may have been missed. */
	static final String RESYNC_EVENT = "resync";

	private static final Log logger = LogFactory.getLog(TransferStream.class);

	private final TransferStreamProperties properties;

	private final Set<SseEmitter> emitters = ConcurrentHashMap.newKeySet();

	private final Object lock = new Object();

	TransferStream(TransferStreamProperties properties) {
		this.properties = properties;
	}

	/**
	 * Open a stream; it stays open until the client leaves, the timeout passes or the
	 * application stops.
	 * @return the stream
	 * @throws TooManyStreamsException if {@link TransferStreamProperties#maxStreams()} are open
	 */
	SseEmitter open() {
		SseEmitter emitter;
		synchronized (this.lock) {
			if (this.emitters.size() >= this.properties.maxStreams()) {
				throw new TooManyStreamsException(this.properties.maxStreams());
			}
			emitter = new SseEmitter(this.properties.timeout().toMillis());
			this.emitters.add(emitter);
		}
		emitter.onCompletion(() -> this.emitters.remove(emitter));
		emitter.onTimeout(emitter::complete);
		emitter.onError((ex) -> this.emitters.remove(emitter));
		// A first line at once: the client (and any proxy) sees the stream open before the
		// first transfer.
		send(emitter, SseEmitter.event().comment("listening for transfers"));
		return emitter;
	}

	/**
	 * Relay a transfer to every open stream.
	 * @param payload the notification's JSON payload
	 */
	@PostgresNotificationListener(TransferNotifications.CHANNEL)
	void onTransfer(String payload) {
		sendToAll(SseEmitter.event().name(TRANSFER_EVENT).data(payload));
	}

	/**
	 * Tell every open stream that transfers may have been missed while the connection was down.
	 * @param event the event
	 */
	@EventListener
	void onResubscribed(NotificationChannelResubscribedEvent event) {
		if (TransferNotifications.CHANNEL.equals(event.getChannel())) {
			// An event without data is never dispatched by a browser's EventSource.
			sendToAll(SseEmitter.event().name(RESYNC_EVENT).data("{}"));
		}
	}

	/**
	 * End every stream as the application stops: the server's graceful shutdown waits for open
	 * requests, and these would otherwise only end with their timeout.
	 */
	@EventListener(ContextClosedEvent.class)
	void completeAll() {
		for (SseEmitter emitter : this.emitters) {
			emitter.complete();
		}
	}

	/**
	 * The number of streams open now.
	 * @return the count
	 */
	int openStreams() {
		return this.emitters.size();
	}

	private void sendToAll(SseEmitter.SseEventBuilder event) {
		for (SseEmitter emitter : this.emitters) {
			send(emitter, event);
		}
	}

	/**
	 * Send one event to one stream. A failure ends that stream only: it must not reach the
	 * notification thread, which serves every listener of the managed connection.
	 */
	private void send(SseEmitter emitter, SseEmitter.SseEventBuilder event) {
		try {
			emitter.send(event);
		}
		catch (Exception ex) {
			// An IOException means the client is gone (the container reports the error and
			// the emitter ends); an IllegalStateException, that the emitter had already ended.
			this.emitters.remove(emitter);
			logger.debug("Dropped a transfer stream: " + ex);
		}
	}

}
