package dev.managedconnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import dev.managedconnection.testsupport.Backends;
import dev.managedconnection.testsupport.NotificationSender;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.managedconnection.TestSql.queryLong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ManagedConnection#listen}: notifications on the one shared connection, with
 * no second one, through session resets and new connections.
 */
@Timeout(120)
class NotificationsIntegrationTests {

	private static final Duration PROMPTLY = Duration.ofSeconds(20);

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private static TestDatabase database;

	private ManagedConnection managed;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.get().createDatabase(NotificationsIntegrationTests.class);
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@BeforeEach
	void createManagedConnection() {
		this.managed = ManagedConnectionExtension.builderFor(database).notificationPollInterval(Duration.ofMillis(20)).build();
	}

	@AfterEach
	void closeManagedConnection() {
		this.managed.close();
	}

	@Test
	void aListenerGetsWhatAnotherSessionSendsWithNothingElseRunning() throws Exception {
		List<Notification> received = new CopyOnWriteArrayList<>();
		try (Subscription subscription = this.managed.listen("orders", received::add)) {
			assertThat(this.managed.isHeldByCurrentThread()).isFalse();
			awaitListening("orders", received);
			int sender = notify("orders", "second");
			await().atMost(PROMPTLY).until(() -> received.stream().anyMatch((n) -> n.payload().equals("second")));
			assertThat(received).filteredOn((n) -> n.payload().equals("second"))
				.singleElement()
				.isEqualTo(new Notification("orders", "second", sender));
		}
	}

	@Test
	void anyChannelNameWorksAndEachListenerOfEachChannelGetsItsOwn() throws Exception {
		String quoted = "Payments \"EU\"; DROP TABLE x";
		List<Notification> first = new CopyOnWriteArrayList<>();
		List<Notification> second = new CopyOnWriteArrayList<>();
		List<Notification> other = new CopyOnWriteArrayList<>();
		try (Subscription one = this.managed.listen(quoted, first::add);
				Subscription two = this.managed.listen(quoted, second::add);
				Subscription three = this.managed.listen("other", other::add)) {
			awaitListening(quoted, first);
			awaitListening("other", other);
			notify(quoted, "to both");
			await().atMost(PROMPTLY).until(() -> payloads(second).contains("to both") && payloads(first).contains("to both"));
			assertThat(payloads(other)).doesNotContain("to both");
		}
	}

	@Test
	void closingTheLastSubscriptionOfAChannelStopsListeningOnIt() throws Exception {
		List<Notification> kept = new CopyOnWriteArrayList<>();
		List<Notification> closed = new CopyOnWriteArrayList<>();
		Subscription keep = this.managed.listen("shared", kept::add);
		Subscription close = this.managed.listen("shared", closed::add);
		Subscription last = this.managed.listen("alone", closed::add);
		awaitListening("shared", kept);
		awaitListening("alone", closed);
		close.close();
		last.close();
		last.close();
		await().atMost(PROMPTLY).until(() -> !listeningChannels().contains("alone"));
		closed.clear();
		notify("shared", "after");
		await().atMost(PROMPTLY).until(() -> payloads(kept).contains("after"));
		assertThat(closed).isEmpty();
		assertThat(listeningChannels()).containsExactly("shared");
		keep.close();
	}

	@Test
	void theSessionResetOfAScopeThatChangedTheSessionKeepsTheChannelListenedOn() throws Exception {
		List<Notification> received = new CopyOnWriteArrayList<>();
		List<String> resubscribed = new CopyOnWriteArrayList<>();
		try (Subscription subscription = this.managed.listen("ledger", listener(received, resubscribed))) {
			awaitListening("ledger", received);
			// SET ROLE makes the release reset the session, which would run UNLISTEN *.
			this.managed.execute(COMMIT, (connection) -> TestSql.update(connection, "SET ROLE pg_monitor"));
			assertThat(listeningChannels()).containsExactly("ledger");
			notify("ledger", "after the reset");
			await().atMost(PROMPTLY).until(() -> payloads(received).contains("after the reset"));
			assertThat(resubscribed).isEmpty();
		}
	}

	@Test
	void aNewConnectionAfterTheOldOneBrokeWhileIdleListensAgainAndTellsTheListeners() throws Exception {
		List<Notification> received = new CopyOnWriteArrayList<>();
		List<String> resubscribed = new CopyOnWriteArrayList<>();
		try (Subscription subscription = this.managed.listen("ledger", listener(received, resubscribed))) {
			awaitListening("ledger", received);
			int first = this.managed.state().backendPid();
			try (Connection admin = database.connect()) {
				Backends.terminate(admin, first);
			}
			// No caller: the idle poll notices the broken connection and opens a new one.
			await().atMost(PROMPTLY).until(() -> resubscribed.contains("ledger"));
			assertThat(this.managed.state().backendPid()).isNotEqualTo(first);
			notify("ledger", "on the new connection");
			await().atMost(PROMPTLY).until(() -> payloads(received).contains("on the new connection"));
		}
	}

	@Test
	void whatAHolderSendsInItsTransactionArrivesAsItsScopeEnds() throws Exception {
		List<Notification> received = new CopyOnWriteArrayList<>();
		try (Subscription subscription = this.managed.listen("self", received::add)) {
			awaitListening("self", received);
			this.managed.execute(COMMIT, (connection) -> TestSql.update(connection, "NOTIFY self, 'from the holder'"));
			await().atMost(PROMPTLY).until(() -> payloads(received).contains("from the holder"));
		}
	}

	@Test
	void listenersRunOnTheirOwnThreadAndMayUseTheConnection() throws Exception {
		AtomicReference<String> thread = new AtomicReference<>();
		AtomicReference<Long> queried = new AtomicReference<>();
		List<Notification> received = new CopyOnWriteArrayList<>();
		NotificationListener listener = (notification) -> {
			received.add(notification);
			if (notification.payload().equals("use it")) {
				thread.set(Thread.currentThread().getName());
				try {
					queried.set(this.managed.execute(COMMIT, (connection) -> queryLong(connection, "SELECT 42")));
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			}
		};
		try (Subscription subscription = this.managed.listen("work", listener)) {
			awaitListening("work", received);
			notify("work", "use it");
			await().atMost(PROMPTLY).until(() -> queried.get() != null);
			assertThat(queried.get()).isEqualTo(42);
			assertThat(thread.get()).startsWith("managed-connection-notifications");
		}
	}

	@Test
	void aListenerThatThrowsKeepsNeitherTheOthersNorItsNextNotificationsFromArriving() throws Exception {
		List<Notification> received = new CopyOnWriteArrayList<>();
		try (Subscription failing = this.managed.listen("fragile", (notification) -> {
			throw new IllegalStateException("listener failed on purpose");
		}); Subscription working = this.managed.listen("fragile", received::add)) {
			awaitListening("fragile", received);
			notify("fragile", "one");
			notify("fragile", "two");
			await().atMost(PROMPTLY).until(() -> payloads(received).containsAll(List.of("one", "two")));
		}
	}

	@Test
	void channelNamesPostgresqlWouldTruncateAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.managed.listen("x".repeat(64), (n) -> {
		})).withMessageContaining("63 bytes");
		assertThatIllegalArgumentException().isThrownBy(() -> this.managed.listen("", (n) -> {
		}));
	}

	private static NotificationListener listener(List<Notification> received, List<String> resubscribed) {
		return new NotificationListener() {

			@Override
			public void onNotification(Notification notification) {
				received.add(notification);
			}

			@Override
			public void onResubscribed(String channel) {
				resubscribed.add(channel);
			}

		};
	}

	/**
	 * Wait until the managed connection listens on the channel: send until a notification
	 * arrives, since only the listening session itself can tell that it listens.
	 */
	private static void awaitListening(String channel, List<Notification> received) {
		await().atMost(PROMPTLY).pollInterval(Duration.ofMillis(50)).until(() -> {
			notify(channel, "ping");
			return payloads(received).contains("ping");
		});
	}

	private List<String> listeningChannels() throws SQLException {
		return this.managed.execute(COMMIT, (connection) -> {
			try (var statement = connection.createStatement();
					var rows = statement.executeQuery("SELECT c FROM pg_listening_channels() c ORDER BY c")) {
				List<String> channels = new java.util.ArrayList<>();
				while (rows.next()) {
					channels.add(rows.getString(1));
				}
				return channels;
			}
		});
	}

	private static List<String> payloads(List<Notification> notifications) {
		return notifications.stream().map(Notification::payload).toList();
	}

	private static int notify(String channel, String payload) throws SQLException {
		return NotificationSender.send(database, channel, payload);
	}

}
