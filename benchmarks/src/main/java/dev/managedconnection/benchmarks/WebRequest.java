package dev.managedconnection.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@link Workload#WEB web workload}: what a request of a small web application does with
 * one shared connection, in the shape of PetClinic behind a load generator. Before the scope it
 * burns CPU (parsing, rendering); in the scope, a transaction of 1 to 3 statements on a small
 * table, 80 % of the requests only reading and the others updating a row last, with CPU work
 * after each statement (mapping rows). The scope commits.
 * <p>
 * CPU work is a fixed number of iterations calibrated once to the microseconds asked for, not
 * a spin on the clock: a request preempted while it computes takes longer, as a real one does.
 * The harness sets the amounts once, before any run ({@link #configure}).
 */
final class WebRequest {

	static final String TABLE = "mc_bench_web";

	private static final int ROWS = 1000;

	private static final int WRITE_PERCENT = 20;

	private static volatile long sink;

	private static volatile long iterationsOutside;

	private static volatile long iterationsInside;

	private WebRequest() {
	}

	/**
	 * Calibrate the CPU work and create and fill the table (unlogged, so that a write costs no
	 * WAL flush that would dwarf the lock's hand-off).
	 * @param database the server
	 * @param outsideMicros CPU work before the scope
	 * @param insideMicros CPU work after each statement in the scope
	 * @throws SQLException if the table cannot be created
	 */
	static void configure(Database database, long outsideMicros, long insideMicros) throws SQLException {
		double perMicro = calibrate();
		iterationsOutside = Math.round(outsideMicros * perMicro);
		iterationsInside = Math.round(insideMicros * perMicro);
		try (Connection connection = database.connect(Database.newApplicationName(), true);
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE UNLOGGED TABLE IF NOT EXISTS " + TABLE
					+ " (id integer PRIMARY KEY, hits bigint NOT NULL)");
			statement.execute("INSERT INTO " + TABLE + " SELECT g, 0 FROM generate_series(1, " + ROWS
					+ ") g ON CONFLICT DO NOTHING");
		}
	}

	static void beforeScope() {
		burn(iterationsOutside);
	}

	static void inScope(Connection connection) throws SQLException {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		boolean write = random.nextInt(100) < WRITE_PERCENT;
		int statements = 1 + random.nextInt(3);
		for (int i = 1; i <= statements; i++) {
			int id = 1 + random.nextInt(ROWS);
			if (write && i == statements) {
				update(connection, id);
			}
			else {
				select(connection, id);
			}
			burn(iterationsInside);
		}
	}

	private static void select(Connection connection, int id) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement("SELECT hits FROM " + TABLE + " WHERE id = ?")) {
			statement.setInt(1, id);
			try (ResultSet result = statement.executeQuery()) {
				if (!result.next()) {
					throw new IllegalStateException("Row " + id + " of " + TABLE + " is missing");
				}
				sink += result.getLong(1);
			}
		}
	}

	private static void update(Connection connection, int id) throws SQLException {
		try (PreparedStatement statement = connection
			.prepareStatement("UPDATE " + TABLE + " SET hits = hits + 1 WHERE id = ?")) {
			statement.setInt(1, id);
			if (statement.executeUpdate() != 1) {
				throw new IllegalStateException("Row " + id + " of " + TABLE + " is missing");
			}
		}
	}

	/**
	 * Return how many iterations of {@link #burn} take a microsecond on this thread now: the
	 * fastest of several tries, after the JIT has compiled the loop.
	 */
	private static double calibrate() {
		long iterations = 1 << 22;
		long best = Long.MAX_VALUE;
		for (int i = 0; i < 30; i++) {
			long began = System.nanoTime();
			burn(iterations);
			best = Math.min(best, System.nanoTime() - began);
		}
		return iterations * 1e3 / best;
	}

	// An xorshift sequence written to a volatile: the JIT can neither drop nor shorten it.
	private static void burn(long iterations) {
		long x = 0x9E3779B97F4A7C15L ^ iterations;
		for (long i = 0; i < iterations; i++) {
			x ^= x << 13;
			x ^= x >>> 7;
			x ^= x << 17;
		}
		sink += x;
	}

}
