package dev.managedconnection;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link NotificationDispatcher}: a pure unit, no database.
 */
class NotificationDispatcherTests {

	private final AtomicInteger delivered = new AtomicInteger();

	private final AtomicInteger dropped = new AtomicInteger();

	private final MetricsTracker metrics = new MetricsTracker() {

		@Override
		public void notificationDelivered() {
			NotificationDispatcherTests.this.delivered.incrementAndGet();
		}

		@Override
		public void notificationDropped() {
			NotificationDispatcherTests.this.dropped.incrementAndGet();
		}

	};

	private NotificationDispatcher dispatcher;

	@AfterEach
	void close() {
		if (this.dispatcher != null) {
			this.dispatcher.close();
		}
	}

	@Test
	void aSlowListenerNeverHoldsTheSenderUpAndWhatDoesNotFitIsDroppedAndCounted() throws Exception {
		CountDownLatch busy = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		List<String> seen = new CopyOnWriteArrayList<>();
		NotificationListener slow = (notification) -> {
			seen.add(notification.payload());
			busy.countDown();
			try {
				finish.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		};
		this.dispatcher = new NotificationDispatcher("test-notifications", (channel) -> List.of(slow), this.metrics, 3);
		this.dispatcher.deliver(new Notification("c", "0", 1));
		assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
		for (int i = 1; i <= 5; i++) {
			this.dispatcher.deliver(new Notification("c", Integer.toString(i), 1));
		}
		assertThat(this.dropped).hasValue(2);
		finish.countDown();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.delivered.get() == 4);
		assertThat(seen).containsExactly("0", "1", "2", "3");
	}

	@Test
	void listenersOfAChannelGetItsNotificationsInOrderAndOneThatThrowsStopsNoOther() {
		List<String> seen = new CopyOnWriteArrayList<>();
		NotificationListener failing = (notification) -> {
			throw new IllegalStateException("failed on purpose");
		};
		this.dispatcher = new NotificationDispatcher("test-notifications",
				(channel) -> List.of(failing, (notification) -> seen.add(notification.payload())), this.metrics);
		for (int i = 0; i < 100; i++) {
			this.dispatcher.deliver(new Notification("c", Integer.toString(i), 1));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 100);
		assertThat(seen).isSortedAccordingTo((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
		assertThat(this.dropped).hasValue(0);
	}

}
