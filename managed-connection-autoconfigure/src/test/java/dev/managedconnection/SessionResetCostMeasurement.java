package dev.managedconnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;

import dev.managedconnection.testsupport.ManagedConnectionExtension;
import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;

/**
 * Measures what each {@link SessionReset} mode costs per scope, with a plain timed loop: not a
 * test (it asserts nothing) but the source of the numbers in {@code docs/reliability.md}. Run
 * it with:
 * <pre>
 * PGHOST=127.0.0.1 ./mvnw -q -pl managed-connection-autoconfigure test-compile exec:java \
 *   -Dexec.mainClass=dev.managedconnection.SessionResetCostMeasurement -Dexec.classpathScope=test
 * </pre>
 */
public final class SessionResetCostMeasurement {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private static final int WARM_UP = 3_000;

	private static final int ITERATIONS = 5_000;

	private static final int ROUNDS = 5;

	private SessionResetCostMeasurement() {
	}

	public static void main(String[] args) throws Exception {
		try (TestDatabase database = TestPostgres.get().createDatabase(SessionResetCostMeasurement.class)) {
			database.execute("CREATE TABLE item (id int PRIMARY KEY, name text)");
			database.execute("INSERT INTO item SELECT i, 'item ' || i FROM generate_series(1, 100) i");
			System.out.printf(Locale.ROOT, "%-34s %12s %12s %12s%n", "median microseconds per scope", "none", "jdbc",
					"discard-all");
			report(database, "scope without touching the connection", (connection) -> 0);
			report(database, "SELECT 1 (Statement)", SessionResetCostMeasurement::selectOne);
			report(database, "SELECT by id (PreparedStatement)", SessionResetCostMeasurement::selectById);
			report(database, "setReadOnly(true) + SELECT 1", (connection) -> {
				connection.setReadOnly(true);
				return selectOne(connection);
			});
			report(database, "SET search_path + SELECT 1", (connection) -> {
				TestSql.update(connection, "SET search_path = public");
				return selectOne(connection);
			});
		}
	}

	private static void report(TestDatabase database, String name, ConnectionCallback<Integer> work)
			throws SQLException {
		StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-34s", name));
		for (SessionReset mode : SessionReset.values()) {
			line.append(String.format(Locale.ROOT, " %12.1f", medianMicros(database, mode, work)));
		}
		System.out.println(line);
	}

	private static double medianMicros(TestDatabase database, SessionReset mode, ConnectionCallback<Integer> work)
			throws SQLException {
		try (ManagedConnection managed = ManagedConnectionExtension.builderFor(database).sessionReset(mode).build()) {
			for (int i = 0; i < WARM_UP; i++) {
				managed.execute(COMMIT, work);
			}
			double[] rounds = new double[ROUNDS];
			for (int round = 0; round < ROUNDS; round++) {
				long start = System.nanoTime();
				for (int i = 0; i < ITERATIONS; i++) {
					managed.execute(COMMIT, work);
				}
				rounds[round] = (System.nanoTime() - start) / 1_000.0 / ITERATIONS;
			}
			Arrays.sort(rounds);
			return rounds[ROUNDS / 2];
		}
	}

	private static int selectOne(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery("SELECT 1")) {
			result.next();
			return result.getInt(1);
		}
	}

	private static int selectById(Connection connection) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement("SELECT name FROM item WHERE id = ?")) {
			statement.setInt(1, 42);
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				return result.getString(1).length();
			}
		}
	}

}
