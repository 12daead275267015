package dev.managedconnection;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.managedconnection.testsupport.Backends;
import dev.managedconnection.testsupport.OwnedPostgres;
import dev.managedconnection.testsupport.ThreadPerTask;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import static dev.managedconnection.testsupport.ManagedConnectionWaits.awaitHeld;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Fault tests on a server this class owns that checks passwords: it refuses to let the managed
 * connection back in (password changed, role {@code NOLOGIN}, connection limit reached). Each
 * refusal fails in bounded time with the server's reason, never shows a password, and heals on
 * its own once the cause is fixed. Passwords also never reach the logs, even at DEBUG.
 */
@Timeout(60)
class RefusedReconnectionIntegrationTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private static final String PASSWORD = "Lake-7781-secret";

	private static final String OTHER_PASSWORD = "River-9902-secret";

	private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(2);

	private static OwnedPostgres postgres;

	private ManagedConnection managed;

	@BeforeAll
	static void startServer() {
		postgres = OwnedPostgres.builder().passwordAuthentication().start();
		postgres.execute("CREATE ROLE app LOGIN PASSWORD '" + PASSWORD + "'", "CREATE DATABASE appdb OWNER app");
	}

	@AfterAll
	static void closeServer() {
		postgres.close();
	}

	@BeforeEach
	void createManagedConnection() throws SQLException {
		postgres.execute("ALTER ROLE app LOGIN PASSWORD '" + PASSWORD + "' CONNECTION LIMIT -1");
		this.managed = builder().password(PASSWORD).build();
		this.managed.execute(COMMIT, TestSql::backendPid);
	}

	@AfterEach
	void closeManagedConnection() {
		this.managed.close();
	}

	@Test
	void aChangedPasswordFailsPromptlyWithTheReasonAndNoSecretThenHealsWhenRestored() throws Exception {
		postgres.execute("ALTER ROLE app PASSWORD '" + OTHER_PASSWORD + "'");
		terminateAppSessions();
		Throwable failure = failingCall();
		assertThat(Faults.sqlStates(failure)).contains("28P01");
		Faults.assertNoSecret(failure, PASSWORD, OTHER_PASSWORD);
		assertThat(this.managed.toString()).doesNotContain(PASSWORD);
		postgres.execute("ALTER ROLE app PASSWORD '" + PASSWORD + "'");
		assertThat(this.managed.execute(COMMIT, TestSql::backendPid)).isPositive();
	}

	@Test
	void aRoleThatMayNoLongerLogInFailsWithTheReasonThenHealsWhenAllowedAgain() throws Exception {
		postgres.execute("ALTER ROLE app NOLOGIN");
		terminateAppSessions();
		Throwable failure = failingCall();
		assertThat(Faults.sqlStates(failure)).contains("28000");
		Faults.assertNoSecret(failure, PASSWORD);
		postgres.execute("ALTER ROLE app LOGIN");
		assertThat(this.managed.execute(COMMIT, TestSql::backendPid)).isPositive();
	}

	@Test
	void aReachedConnectionLimitFailsAfterTheAcquireTimeoutWithTheReasonThenAWaiterGetsInWhenASlotFrees()
			throws Exception {
		postgres.execute("ALTER ROLE app CONNECTION LIMIT 1");
		terminateAppSessions();
		try (Connection squatter = connectAsApp()) {
			Throwable failure = failingCall();
			assertThat(failure).isInstanceOf(AcquireTimeoutException.class);
			assertThat(Faults.sqlStates(failure)).contains("53300");
			CompletableFuture<Integer> waiter = ThreadPerTask.supplyAsync(() -> {
				try {
					return this.managed.execute(COMMIT.withAcquireTimeout(Duration.ofSeconds(30)), TestSql::backendPid);
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});
			// The waiter holds the lock while it tries to connect.
			awaitHeld(this.managed);
			assertThat(waiter).isNotDone();
			squatter.close();
			assertThat(waiter.get(30, TimeUnit.SECONDS)).isPositive();
		}
	}

	@Test
	void passwordsGivenInTheUrlAndAsAPropertyNeverReachTheLogsAtDebug() throws Exception {
		ListAppender<ILoggingEvent> appender = new ListAppender<>();
		Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
		ch.qos.logback.classic.Level rootLevel = root.getLevel();
		java.util.logging.Logger driverLogger = java.util.logging.Logger.getLogger("org.postgresql");
		Level driverLevel = driverLogger.getLevel();
		List<String> driverRecords = new ArrayList<>();
		Handler driverHandler = new Handler() {

			@Override
			public void publish(LogRecord record) {
				synchronized (driverRecords) {
					driverRecords.add(new java.util.logging.SimpleFormatter().format(record));
				}
			}

			@Override
			public void flush() {
			}

			@Override
			public void close() {
			}

		};
		appender.start();
		root.addAppender(appender);
		root.setLevel(ch.qos.logback.classic.Level.DEBUG);
		driverLogger.setLevel(Level.ALL);
		driverLogger.addHandler(driverHandler);
		try (ManagedConnection wrongInUrl = urlPasswordBuilder(OTHER_PASSWORD, PASSWORD).build();
				ManagedConnection rightInUrl = urlPasswordBuilder(PASSWORD, OTHER_PASSWORD).build()) {
			// pgjdbc lets the URL's password win over the property.
			Throwable failure = catchThrowable(() -> wrongInUrl.execute(COMMIT, TestSql::backendPid));
			assertThat(Faults.sqlStates(failure)).contains("28P01");
			Faults.assertNoSecret(failure, PASSWORD, OTHER_PASSWORD);
			rightInUrl.execute(COMMIT, TestSql::backendPid);
			terminateAppSessions();
			rightInUrl.execute(COMMIT, TestSql::backendPid);
			assertThat(wrongInUrl.toString() + rightInUrl).doesNotContain(PASSWORD).doesNotContain(OTHER_PASSWORD);
		}
		finally {
			root.detachAppender(appender);
			root.setLevel(rootLevel);
			driverLogger.removeHandler(driverHandler);
			driverLogger.setLevel(driverLevel);
		}
		List<String> logged = new ArrayList<>();
		for (ILoggingEvent event : appender.list) {
			logged.add(event.getFormattedMessage()
					+ ((event.getThrowableProxy() != null) ? ThrowableProxyUtil.asString(event.getThrowableProxy()) : ""));
		}
		synchronized (driverRecords) {
			logged.addAll(driverRecords);
		}
		assertThat(logged).as("something was logged").isNotEmpty();
		assertThat(logged).noneMatch((line) -> line.contains(PASSWORD) || line.contains(OTHER_PASSWORD));
	}

	private Throwable failingCall() {
		long start = System.nanoTime();
		Throwable failure = catchThrowableOfType(SQLException.class,
				() -> this.managed.execute(COMMIT, TestSql::backendPid));
		assertThat(failure).as("a refused reconnection fails").isNotNull();
		assertThat(Faults.millisSince(start)).isLessThan(ACQUIRE_TIMEOUT.toMillis() + 1_500);
		assertThat(this.managed.state().holderThread()).isNull();
		return failure;
	}

	private static void terminateAppSessions() throws Exception {
		try (Connection admin = postgres.connect("postgres")) {
			List<Integer> pids = new ArrayList<>();
			try (var statement = admin.createStatement();
					var result = statement.executeQuery("SELECT pid FROM pg_stat_activity WHERE usename = 'app'")) {
				while (result.next()) {
					pids.add(result.getInt(1));
				}
			}
			for (int pid : pids) {
				Backends.terminate(admin, pid);
			}
		}
	}

	private static Connection connectAsApp() throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", "app");
		properties.setProperty("password", PASSWORD);
		return DriverManager.getConnection(postgres.url("appdb"), properties);
	}

	private static ManagedConnectionBuilder urlPasswordBuilder(String urlPassword, String propertyPassword) {
		return ManagedConnection.builder()
			.url(postgres.url("appdb") + "?ApplicationName=secrets&password=" + urlPassword)
			.username("app")
			.password(propertyPassword)
			.acquireTimeout(ACQUIRE_TIMEOUT)
			.validationIdleThreshold(Duration.ZERO);
	}

	private static ManagedConnectionBuilder builder() {
		return ManagedConnection.builder()
			.url(postgres.url("appdb"))
			.username("app")
			.acquireTimeout(ACQUIRE_TIMEOUT)
			.validationIdleThreshold(Duration.ZERO);
	}

}
