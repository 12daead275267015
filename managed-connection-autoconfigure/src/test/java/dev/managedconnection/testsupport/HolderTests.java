package dev.managedconnection.testsupport;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import dev.managedconnection.AcquireTimeoutException;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ManagedConnectionBuilder;
import dev.managedconnection.ScopeOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.managedconnection.testsupport.ManagedConnectionWaits.awaitWaitingThreads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link Holder}: it holds the connection from its own thread until released, runs
 * what it is told before and after, and never outlives its test.
 */
@Timeout(60)
class HolderTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE item (id int PRIMARY KEY)")
		.beforeEachTest("TRUNCATE item");

	@Test
	void holdsTheConnectionFromItsOwnThreadUntilReleased() throws Exception {
		ManagedConnection managed = db.managed();
		try (Holder holder = Holder.hold(managed, "busy")) {
			assertThat(managed.state().holderThread()).isEqualTo("busy");
			assertThat(holder.thread().getName()).isEqualTo("busy");
			assertThat(holder.backendPid()).isEqualTo(managed.state().backendPid()).isPositive();
			ScopeOptions impatient = ScopeOptions.DEFAULT.withAcquireTimeout(Duration.ofMillis(100));
			assertThatExceptionOfType(AcquireTimeoutException.class)
				.isThrownBy(() -> managed.execute(impatient, (connection) -> null));
			holder.release();
			assertThat(holder.result()).succeedsWithin(Holder.BOUND).isNull();
		}
		assertThat(managed.state().holderThread()).isNull();
	}

	@Test
	void runsItsFirstStatementsBeforeHoldingAndItsWorkOnceReleased() throws Exception {
		ManagedConnection managed = db.managed();
		try (Holder holder = Holder.of(managed)
			.options(COMMIT)
			.first("INSERT INTO item VALUES (1)")
			.then(HolderTests::insertTwo)
			.hold()) {
			assertThat(db.queryLong("SELECT count(*) FROM item")).as("uncommitted while held").isZero();
			holder.release();
			assertThat(holder.result()).succeedsWithin(Holder.BOUND).isEqualTo(1);
		}
		assertThat(db.queryLong("SELECT count(*) FROM item")).isEqualTo(2);
	}

	@Test
	void aHolderReleasedBeforeItHoldsTakesTheConnectionAndGivesItBackAsAWaiterDoes() throws Exception {
		ManagedConnection managed = db.managed();
		try (Holder holder = Holder.hold(managed);
				Holder waiter = Holder.of(managed).named("waiter").start().release()) {
			awaitWaitingThreads(managed, 1);
			assertThat(waiter.result()).isNotDone();
			holder.release();
			assertThat(waiter.result()).succeedsWithin(Holder.BOUND);
		}
	}

	@Test
	void aHolderThatCannotGetTheConnectionFailsToHoldWithTheReason() {
		ManagedConnectionBuilder nothingListens = db.builder().url("jdbc:postgresql://127.0.0.1:1/nothing");
		try (ManagedConnection unreachable = nothingListens.acquireTimeout(Duration.ofMillis(200)).build()) {
			assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> Holder.hold(unreachable))
				.withMessageContaining("failed before holding")
				.withCauseInstanceOf(AcquireTimeoutException.class);
		}
	}

	@Test
	void closeInterruptsAHolderStillWaitingForTheConnection() throws SQLException {
		ManagedConnection managed = db.managed();
		managed.acquire(ScopeOptions.DEFAULT);
		try (Holder waiting = Holder.of(managed).named("stuck").start()) {
			awaitWaitingThreads(managed, 1);
			waiting.close();
			assertThat(waiting.thread().isAlive()).isFalse();
			assertThat(waiting.result()).failsWithin(Duration.ZERO)
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(SQLException.class)
				.withCauseInstanceOf(InterruptedException.class);
		}
		finally {
			managed.release();
		}
	}

	private static int insertTwo(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			return statement.executeUpdate("INSERT INTO item VALUES (2)");
		}
	}

}
