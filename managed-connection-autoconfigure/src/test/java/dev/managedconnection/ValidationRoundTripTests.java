package dev.managedconnection;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

import dev.managedconnection.RoundTripCountingSocketFactory.RoundTrips;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.managedconnection.TestSql.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that {@link ManagedConnection} validates a connection with a round trip only after it sat
 * idle past the validation window. Round trips are counted on the wire by
 * {@link RoundTripCountingSocketFactory}, so any way of validating ({@code isValid}, a query) and
 * any other traffic an acquisition might cause are seen.
 */
class ValidationRoundTripTests {

	private static final int ACQUISITIONS = 10_000;

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create();

	private RoundTrips roundTrips;

	@BeforeEach
	void createCounter() {
		this.roundTrips = RoundTripCountingSocketFactory.newCounter();
	}

	@AfterEach
	void removeCounter() {
		this.roundTrips.close();
	}

	@Test
	void aScopeCostsTheRoundTripsOfItsWorkAndNoMore() throws SQLException {
		// The same work on a plain connection: how many round trips it takes depends on the
		// driver's version (42.7.8 sends one more than 42.7.14), not on the managed connection.
		long plain;
		Properties properties = this.roundTrips.connectionProperties();
		properties.setProperty("user", db.username());
		properties.setProperty("password", db.password());
		try (Connection connection = DriverManager.getConnection(db.url(), properties)) {
			connection.setAutoCommit(false);
			queryLong(connection, "SELECT 1");
			connection.commit();
			long before = this.roundTrips.count();
			queryLong(connection, "SELECT 1");
			connection.commit();
			plain = this.roundTrips.count() - before;
		}
		assertThat(plain).as("the counter sees the SELECT and the COMMIT").isGreaterThanOrEqualTo(2);
		ManagedConnection managed = build(Duration.ofMinutes(10));
		open(managed);
		long before = this.roundTrips.count();
		managed.execute(COMMIT, (connection) -> queryLong(connection, "SELECT 1"));
		assertThat(this.roundTrips.count() - before).isEqualTo(plain);
	}

	@Test
	void backToBackAcquisitionsWithinTheWindowSendNoRoundTrip() throws SQLException {
		// A window far longer than the loop takes, so that no pause of a busy machine can end it.
		ManagedConnection managed = build(Duration.ofMinutes(10));
		open(managed);
		long before = this.roundTrips.count();
		for (int i = 0; i < ACQUISITIONS; i++) {
			managed.execute((connection) -> null);
		}
		assertThat(this.roundTrips.count() - before).isZero();
	}

	@Test
	void backToBackAcquisitionsThroughTheScopeApiAndTheDataSourceViewSendNoRoundTrip() throws SQLException {
		ManagedConnection managed = build(Duration.ofMinutes(10));
		open(managed);
		long before = this.roundTrips.count();
		for (int i = 0; i < ACQUISITIONS; i++) {
			managed.acquire(ScopeOptions.DEFAULT);
			managed.release();
			try (Connection borrowed = managed.asDataSource().getConnection()) {
				assertThat(borrowed.isClosed()).isFalse();
			}
		}
		assertThat(this.roundTrips.count() - before).isZero();
	}

	@Test
	void anAcquisitionAfterTheWindowSendsExactlyOneRoundTripAndTheNextOnesNone() throws Exception {
		Duration window = Duration.ofMillis(100);
		ManagedConnection managed = build(window);
		open(managed);
		// The precondition is that time passes: the connection must sit idle past the window.
		// No event marks that moment, so there is nothing to await; only a sleep makes it so.
		Thread.sleep(window.toMillis() * 3);
		long before = this.roundTrips.count();
		managed.execute((connection) -> null);
		assertThat(this.roundTrips.count() - before).isOne();
		for (int i = 0; i < 100; i++) {
			managed.execute((connection) -> null);
		}
		assertThat(this.roundTrips.count() - before).as("used moments ago, so not validated again").isOne();
	}

	@Test
	void zeroWindowValidatesEveryAcquisitionWithOneRoundTrip() throws SQLException {
		ManagedConnection managed = build(Duration.ZERO);
		open(managed);
		long before = this.roundTrips.count();
		for (int i = 0; i < 100; i++) {
			managed.execute((connection) -> null);
		}
		assertThat(this.roundTrips.count() - before).isEqualTo(100);
	}

	private ManagedConnection build(Duration validationWindow) {
		return db.managed((builder) -> builder.properties(this.roundTrips.connectionProperties())
			.validationIdleThreshold(validationWindow));
	}

	private static void open(ManagedConnection managed) throws SQLException {
		long one = managed.execute(COMMIT, (connection) -> queryLong(connection, "SELECT 1"));
		assertThat(one).isOne();
	}

}
