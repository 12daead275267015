package com.example.ledger.web;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ledger.transfer-stream.*}: the limits of {@code GET /transfers/stream}.
 *
 * @param maxStreams how many streams may be open at once; one more is answered 503
 * @param timeout how long a stream stays open; a client such as the browser's EventSource
 * reconnects by itself
 */
@ConfigurationProperties("ledger.transfer-stream")
record TransferStreamProperties(@DefaultValue("100") int maxStreams, @DefaultValue("30m") Duration timeout) {

	TransferStreamProperties {
		if (maxStreams < 1) {
			throw new IllegalArgumentException("ledger.transfer-stream.max-streams must be 1 or more");
		}
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("ledger.transfer-stream.timeout must be positive");
		}
	}

}
