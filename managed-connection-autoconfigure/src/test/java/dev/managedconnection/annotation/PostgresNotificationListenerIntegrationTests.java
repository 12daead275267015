package dev.managedconnection.annotation;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.Notification;
import dev.managedconnection.ScopeOptions;
import dev.managedconnection.autoconfigure.ManagedConnectionAutoConfiguration;
import dev.managedconnection.testsupport.NotificationSender;
import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for {@link PostgresNotificationListener @PostgresNotificationListener}
 * methods in an application context against a real PostgreSQL.
 */
@Timeout(180)
class PostgresNotificationListenerIntegrationTests {

	private static final Duration PROMPTLY = Duration.ofSeconds(20);

	private static TestDatabase database;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ManagedConnectionAutoConfiguration.class,
				DataSourceAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=" + database.url(),
				"spring.datasource.username=" + database.username(),
				"spring.datasource.password=" + database.password(),
				"managed-connection.notifications.poll-interval=20ms");

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.get().createDatabase(PostgresNotificationListenerIntegrationTests.class);
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@Test
	void methodsGetThePayloadOrTheNotificationOfTheirChannelsWithPlaceholdersResolved() {
		this.contextRunner.withUserConfiguration(LedgerListenersConfiguration.class)
			.withPropertyValues("app.channel=Ledger Transfers")
			.run((context) -> {
				LedgerListeners listeners = context.getBean(LedgerListeners.class);
				awaitListening("Ledger Transfers", listeners.payloads);
				int sender = notify("Ledger Transfers", "{\"id\":1}");
				await().atMost(PROMPTLY).until(() -> listeners.payloads.contains("{\"id\":1}"));
				await().atMost(PROMPTLY)
					.until(() -> listeners.notifications
						.contains(new Notification("Ledger Transfers", "{\"id\":1}", sender)));
				notify("audit", "checked");
				await().atMost(PROMPTLY).until(() -> listeners.payloads.contains("checked"));
			});
	}

	@Test
	void stoppingTheContextUnsubscribesAndTheSessionStopsListening() {
		this.contextRunner.withUserConfiguration(LedgerListenersConfiguration.class)
			.withPropertyValues("app.channel=ledger")
			.run((context) -> {
				LedgerListeners listeners = context.getBean(LedgerListeners.class);
				awaitListening("ledger", listeners.payloads);
				assertThat(listeningChannels(context)).containsExactly("audit", "ledger");
				context.getSourceApplicationContext().stop();
				// The UNLISTEN runs the next time the connection is free, as the LISTEN did.
				await().atMost(PROMPTLY).until(() -> listeningChannels(context).isEmpty());
			});
	}

	@Test
	void aNewConnectionPublishesOneResubscribedEventPerChannelAndTheMethodsHearAgain() {
		this.contextRunner.withUserConfiguration(LedgerListenersConfiguration.class)
			.withPropertyValues("app.channel=ledger")
			.run((context) -> {
				LedgerListeners listeners = context.getBean(LedgerListeners.class);
				Resubscriptions resubscriptions = context.getBean(Resubscriptions.class);
				awaitListening("ledger", listeners.payloads);
				int first = context.getBean(ManagedConnection.class).state().backendPid();
				terminateBackend(first);
				// Nobody calls: the idle poll opens a new connection and listens again.
				await().atMost(PROMPTLY).until(() -> resubscriptions.channels.size() == 2);
				assertThat(resubscriptions.channels).containsExactlyInAnyOrder("ledger", "audit");
				notify("ledger", "on the new connection");
				await().atMost(PROMPTLY).until(() -> listeners.payloads.contains("on the new connection"));
			});
	}

	@Test
	void aMethodMayUseTheManagedConnectionThroughExclusiveConnection() {
		this.contextRunner.withUserConfiguration(RecordingListenerConfiguration.class).run((context) -> {
			RecordingListener listener = context.getBean(RecordingListener.class);
			await().atMost(PROMPTLY).pollInterval(Duration.ofMillis(50)).until(() -> {
				notify("recorded", "ping");
				return !listener.recorded().isEmpty();
			});
			assertThat(listener.recorded().get(0)).isEqualTo("ping from another session");
		});
	}

	@Test
	void aMethodWithParametersThatCannotTakeANotificationFailsStartupNamingIt() {
		this.contextRunner.withUserConfiguration(WrongParameterConfiguration.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("WrongParameter.onNotification(int)")
				.hasMessageContaining("the payload as a String, or the Notification");
		});
	}

	@Test
	void aChannelThatResolvesToNothingFailsStartupNamingTheMethod() {
		this.contextRunner.withUserConfiguration(LedgerListenersConfiguration.class)
			.withPropertyValues("app.channel=")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("LedgerListeners.on")
					.hasMessageContaining("has channel '${app.channel}'")
					.hasMessageContaining("resolves to an empty name");
			});
	}

	/**
	 * Wait until the managed connection listens on the channel: send until a notification
	 * arrives, since only the listening session itself can tell that it listens.
	 */
	private static void awaitListening(String channel, List<String> payloads) {
		await().atMost(PROMPTLY).pollInterval(Duration.ofMillis(50)).until(() -> {
			notify(channel, "ping");
			return payloads.contains("ping");
		});
	}

	private static List<String> listeningChannels(AssertableApplicationContext context) throws SQLException {
		return context.getBean(ManagedConnection.class).execute(ScopeOptions.DEFAULT.withCommit(true), (connection) -> {
			List<String> channels = new ArrayList<>();
			try (Statement statement = connection.createStatement();
					ResultSet rows = statement.executeQuery("SELECT c FROM pg_listening_channels() c ORDER BY c")) {
				while (rows.next()) {
					channels.add(rows.getString(1));
				}
			}
			return channels;
		});
	}

	private static int notify(String channel, String payload) throws SQLException {
		return NotificationSender.send(database, channel, payload);
	}

	private static void terminateBackend(int pid) throws SQLException {
		try (Connection admin = database.connect();
				PreparedStatement statement = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
			statement.setInt(1, pid);
			try (ResultSet rows = statement.executeQuery()) {
				rows.next();
				assertThat(rows.getBoolean(1)).isTrue();
			}
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class LedgerListenersConfiguration {

		@Bean
		LedgerListeners ledgerListeners() {
			return new LedgerListeners();
		}

		@Bean
		Resubscriptions resubscriptions() {
			return new Resubscriptions();
		}

	}

	static class LedgerListeners {

		final List<String> payloads = new CopyOnWriteArrayList<>();

		final List<Notification> notifications = new CopyOnWriteArrayList<>();

		@PostgresNotificationListener({ "${app.channel}", "audit" })
		void onPayload(String payload) {
			this.payloads.add(payload);
		}

		@PostgresNotificationListener("${app.channel}")
		void onNotification(Notification notification) {
			this.notifications.add(notification);
		}

	}

	static class Resubscriptions implements ApplicationListener<NotificationChannelResubscribedEvent> {

		final List<String> channels = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(NotificationChannelResubscribedEvent event) {
			this.channels.add(event.getChannel());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingListenerConfiguration {

		@Bean
		RecordingListener recordingListener(ManagedConnection managedConnection) {
			return new RecordingListener(managedConnection);
		}

	}

	static class RecordingListener {

		private final ManagedConnection managedConnection;

		private final List<String> recorded = new CopyOnWriteArrayList<>();

		RecordingListener(ManagedConnection managedConnection) {
			this.managedConnection = managedConnection;
		}

		// Through the class-based proxy: its own fields are not the target's.
		public List<String> recorded() {
			return this.recorded;
		}

		@PostgresNotificationListener("recorded")
		@ExclusiveConnection
		public void onNotification(Notification notification) throws SQLException {
			Connection connection = this.managedConnection.currentConnection();
			try (PreparedStatement statement = connection.prepareStatement("SELECT ? || ' from another session'")) {
				statement.setString(1, notification.payload());
				try (ResultSet rows = statement.executeQuery()) {
					rows.next();
					this.recorded.add(rows.getString(1));
				}
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class WrongParameterConfiguration {

		@Bean
		WrongParameter wrongParameter() {
			return new WrongParameter();
		}

	}

	static class WrongParameter {

		@PostgresNotificationListener("numbers")
		void onNotification(int number) {
		}

	}

}
