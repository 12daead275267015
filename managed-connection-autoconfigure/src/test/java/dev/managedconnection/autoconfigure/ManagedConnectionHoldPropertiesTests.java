package dev.managedconnection.autoconfigure;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ScopeOptions;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@code managed-connection.leak-detection-threshold} and
 * {@code managed-connection.max-hold} on the auto-configured {@link ManagedConnection}.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagedConnectionHoldPropertiesTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ManagedConnectionAutoConfiguration.class));

	@Test
	void bothAreOffByDefault() {
		ManagedConnectionProperties properties = new ManagedConnectionProperties();
		assertThat(properties.getLeakDetectionThreshold()).isNull();
		assertThat(properties.getMaxHold()).isNull();
	}

	@Test
	void leakDetectionThresholdWarnsOfALongHoldAndLogsItsRelease(CapturedOutput output) {
		withDatabase().withPropertyValues("managed-connection.leak-detection-threshold=200ms").run((context) -> {
			ManagedConnection managedConnection = context.getBean(ManagedConnection.class);
			CountDownLatch reported = new CountDownLatch(1);
			ExecutorService executor = Executors.newSingleThreadExecutor((task) -> new Thread(task, "slow-job"));
			try {
				Future<Integer> holding = executor.submit(() -> managedConnection.execute(COMMIT, (connection) -> {
					awaitQuietly(reported);
					return one(connection);
				}));
				await().atMost(Duration.ofSeconds(30)).until(() -> output.getOut().contains("Possible leak"));
				reported.countDown();
				assertThat(holding.get(30, TimeUnit.SECONDS)).isEqualTo(1);
			}
			finally {
				executor.shutdownNow();
			}
			await().atMost(Duration.ofSeconds(30))
				.until(() -> output.getOut().contains("Thread 'slow-job' released ManagedConnection["));
			assertThat(output.getOut()).contains("Possible leak: thread 'slow-job' has held ManagedConnection[",
					"longer than the leak-detection threshold of 200 ms",
					"Thread 'slow-job' acquired the connection here",
					"at " + ManagedConnectionHoldPropertiesTests.class.getName());
		});
	}

	@Test
	void maxHoldCancelsAStatementRunningPastIt(CapturedOutput output) {
		withDatabase().withPropertyValues("managed-connection.max-hold=500ms").run((context) -> {
			ManagedConnection managedConnection = context.getBean(ManagedConnection.class);
			assertThatExceptionOfType(SQLException.class)
				.isThrownBy(() -> managedConnection.execute(COMMIT, (connection) -> sleep(connection, 60)))
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("57014"));
			assertThat(output.getOut()).contains("longer than the max hold of 500 ms: cancelling its running statement");
			assertThat(managedConnection.execute(COMMIT, ManagedConnectionHoldPropertiesTests::one)).isEqualTo(1);
		});
	}

	@Test
	void negativeLeakDetectionThresholdFailsStartupNamingTheProperty() {
		withDatabase().withPropertyValues("managed-connection.leak-detection-threshold=-1s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ManagedConnectionConfigurationException.class)
				.hasMessageContaining("'managed-connection.leak-detection-threshold' ('-1s') must not be negative"));
	}

	@Test
	void negativeMaxHoldFailsStartupNamingTheProperty() {
		withDatabase().withPropertyValues("managed-connection.max-hold=-1s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ManagedConnectionConfigurationException.class)
				.hasMessageContaining("'managed-connection.max-hold' ('-1s') must not be negative"));
	}

	private ApplicationContextRunner withDatabase() {
		return this.contextRunner.withPropertyValues(db.dataSourceProperties());
	}

	private static int one(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SELECT 1")) {
			rs.next();
			return rs.getInt(1);
		}
	}

	private static int sleep(Connection connection, int seconds) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute("SELECT pg_sleep(" + seconds + ")");
			return seconds;
		}
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			assertThat(latch.await(60, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
