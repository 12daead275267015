package dev.managedconnection;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import dev.managedconnection.testsupport.Holder;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.managedconnection.TestSql.queryLong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for leak detection and the max hold of a {@link ManagedConnection}, and for the acquire
 * timeout naming where the holder acquired the connection.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagedConnectionLeakDetectionTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private static final Pattern HELD_FOR = Pattern.compile("(?:for|after) (\\d+) ms");

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create();

	private ExecutorService executor;

	private LogCapture log;

	@BeforeEach
	void startCapturing() {
		this.log = LogCapture.of(ManagedConnection.class);
	}

	@AfterEach
	void stopCapturing() throws InterruptedException {
		this.log.close();
		if (this.executor != null) {
			this.executor.shutdownNow();
			assertThat(this.executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
		}
	}

	@Test
	void scopeHeldPastTheThresholdIsReportedWithHolderAndAcquisitionStackThenItsReleaseIsLogged() throws Exception {
		ManagedConnection managed = db.managed((builder) -> builder.leakDetectionThreshold(Duration.ofMillis(200)));
		CountDownLatch reported = new CountDownLatch(1);
		Future<Long> holding = holderThread("leaky-worker").submit(() -> managed.execute(COMMIT, (connection) -> {
			TestSql.await(reported);
			return queryLong(connection, "SELECT 1");
		}));
		ILoggingEvent warning = this.log.await(this::isLeakWarning);
		reported.countDown();
		assertThat(holding.get(30, TimeUnit.SECONDS)).isEqualTo(1);
		ILoggingEvent released = this.log.await((event) -> event.getLevel() == Level.INFO);

		assertThat(warning.getFormattedMessage()).contains("thread 'leaky-worker' has held ManagedConnection[",
				"longer than the leak-detection threshold of 200 ms");
		assertThat(heldMillis(warning)).isGreaterThanOrEqualTo(200);
		IThrowableProxy site = warning.getThrowableProxy();
		assertThat(site.getMessage()).isEqualTo("Thread 'leaky-worker' acquired the connection here");
		StackTraceElementProxy[] frames = site.getStackTraceElementProxyArray();
		assertThat(frames[0].getStackTraceElement().getClassName())
			.as("the stack starts at the caller, not inside the library")
			.startsWith(ManagedConnectionLeakDetectionTests.class.getName());
		assertThat(released.getFormattedMessage()).startsWith("Thread 'leaky-worker' released ManagedConnection[")
			.endsWith("it was reported as a possible leak");
		assertThat(heldMillis(released)).isGreaterThanOrEqualTo(heldMillis(warning));
	}

	@Test
	void scopeReleasedBeforeTheThresholdIsNeverReported() throws Exception {
		ManagedConnection managed = db.managed((builder) -> builder.leakDetectionThreshold(Duration.ofSeconds(2)));
		holderThread("quick-worker").submit(() -> managed.execute(COMMIT, TestSql::backendPid))
			.get(30, TimeUnit.SECONDS);
		CountDownLatch reported = new CountDownLatch(1);
		Future<Integer> slow = holderThread("slow-worker")
			.submit(() -> managed.execute(COMMIT, (connection) -> {
				TestSql.await(reported);
				return TestSql.backendPid(connection);
			}));
		this.log.await(this::isLeakWarning);
		reported.countDown();
		slow.get(30, TimeUnit.SECONDS);
		// One scheduler thread runs the checks in deadline order: had the quick scope's check
		// survived its release, it would have reported before the slow scope's.
		assertThat(this.log.events()).filteredOn((event) -> event.getLevel() == Level.WARN)
			.singleElement()
			.satisfies((event) -> assertThat(event.getFormattedMessage()).contains("'slow-worker'"));
	}

	@Test
	void maxHoldCancelsTheStatementRunningPastItAndKeepsTheConnection() throws Exception {
		ManagedConnection managed = db.managed((builder) -> builder.maxHold(Duration.ofMillis(500)));
		int pid = managed.execute(COMMIT, TestSql::backendPid);
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> managed.execute(COMMIT, (connection) -> queryLong(connection, "SELECT pg_sleep(60)")))
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("57014"));
		assertThat(this.log.await((event) -> event.getLevel() == Level.WARN).getFormattedMessage())
			.contains("longer than the max hold of 500 ms: cancelling its running statement");
		assertThat(managed.execute(COMMIT, TestSql::backendPid)).isEqualTo(pid);
		assertThat(managed.status()).isEqualTo(TransactionStatus.IDLE);
	}

	@Test
	void acquireTimeoutNamesWhereTheHolderAcquiredWhenLeakDetectionIsOn() throws Exception {
		ManagedConnection managed = db.managed((builder) -> builder.leakDetectionThreshold(Duration.ofHours(1)));
		int pid = managed.execute(COMMIT, TestSql::backendPid);
		CountDownLatch holding = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(1);
		// Acquired in this class, not through a test-support Holder: the message names the site.
		Future<Object> holder = holderThread("busy-holder").submit(() -> managed.execute((connection) -> {
			holding.countDown();
			TestSql.await(done);
			return null;
		}));
		TestSql.await(holding);
		try {
			assertThatExceptionOfType(AcquireTimeoutException.class)
				.isThrownBy(() -> managed.execute(ScopeOptions.DEFAULT.withAcquireTimeout(Duration.ofMillis(200)),
						(connection) -> null))
				.withMessageContaining("held by thread 'busy-holder'")
				.withMessageContaining("(backend PID " + pid + ")")
				.withMessageContaining("acquired at " + ManagedConnectionLeakDetectionTests.class.getName())
				.satisfies((ex) -> assertThat(ex.getSuppressed()).singleElement()
					.satisfies((site) -> assertThat(site)
						.hasMessage("Thread 'busy-holder' acquired the connection here")));
		}
		finally {
			done.countDown();
		}
		holder.get(30, TimeUnit.SECONDS);
	}

	@Test
	void acquireTimeoutWithoutLeakDetectionNamesHolderAndBackendOnly() throws Exception {
		ManagedConnection managed = db.managed();
		int pid = managed.execute(COMMIT, TestSql::backendPid);
		try (Holder holder = Holder.hold(managed, "busy-holder")) {
			assertThatExceptionOfType(AcquireTimeoutException.class)
				.isThrownBy(() -> managed.execute(ScopeOptions.DEFAULT.withAcquireTimeout(Duration.ofMillis(200)),
						(connection) -> null))
				.withMessageContaining("held by thread 'busy-holder'")
				.withMessageContaining("(backend PID " + pid + ")")
				.withMessageNotContaining("acquired at")
				.satisfies((ex) -> assertThat(ex.getSuppressed()).isEmpty());
			holder.release();
			assertThat(holder.result()).succeedsWithin(Duration.ofSeconds(30));
		}
	}

	@Test
	void leakDetectionAndMaxHoldAreOffByDefaultOrWhenZero() {
		assertThat(HoldMonitor.of("connection", null, null)).isSameAs(HoldMonitor.NONE);
		assertThat(HoldMonitor.of("connection", Duration.ZERO, Duration.ZERO)).isSameAs(HoldMonitor.NONE);
		assertThat(HoldMonitor.of("connection", Duration.ofSeconds(1), null)).isNotSameAs(HoldMonitor.NONE);
		assertThat(HoldMonitor.of("connection", null, Duration.ofSeconds(1))).isNotSameAs(HoldMonitor.NONE);
	}

	@Test
	void builderRejectsANegativeThresholdOrMaxHold() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> db.builder().leakDetectionThreshold(Duration.ofMillis(-1)).build())
			.withMessageContaining("'leakDetectionThreshold'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> db.builder().maxHold(Duration.ofMillis(-1)).build())
			.withMessageContaining("'maxHold'");
	}

	private boolean isLeakWarning(ILoggingEvent event) {
		return event.getLevel() == Level.WARN && event.getFormattedMessage().startsWith("Possible leak");
	}

	private ExecutorService holderThread(String name) {
		if (this.executor != null) {
			this.executor.shutdown();
		}
		this.executor = Executors.newSingleThreadExecutor((runnable) -> new Thread(runnable, name));
		return this.executor;
	}

	private static long heldMillis(ILoggingEvent event) {
		Matcher matcher = HELD_FOR.matcher(event.getFormattedMessage());
		assertThat(matcher.find()).as("'for N ms' in %s", event.getFormattedMessage()).isTrue();
		return Long.parseLong(matcher.group(1));
	}

}
