package dev.managedconnection.testsupport;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.managedconnection.ManagedConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link Backends}: a terminated backend is gone when the call returns, and a running
 * statement is seen.
 */
@Timeout(60)
class BackendsTests {

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create();

	@Test
	void terminateReturnsOnceTheBackendIsGone() throws SQLException {
		try (Connection victim = db.connect()) {
			int pid = pid(victim);
			Backends.terminate(db.database(), pid);
			assertThat(db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid)).isZero();
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> pid(victim))
				.satisfies((ex) -> assertThat(ManagedConnection.isBrokenConnection(ex)).isTrue());
		}
	}

	@Test
	void awaitActiveQuerySeesTheRunningStatement() throws Exception {
		try (Connection sleeper = db.connect()) {
			int pid = pid(sleeper);
			CompletableFuture<Boolean> sleeping = ThreadPerTask.supplyAsync(() -> {
				try (Statement statement = sleeper.createStatement()) {
					return statement.execute("SELECT pg_sleep(30)");
				}
				catch (SQLException ex) {
					return false;
				}
			});
			db.awaitActiveQuery(pid, "pg_sleep(30)");
			db.terminateBackend(pid);
			assertThat(sleeping.get(30, TimeUnit.SECONDS)).isFalse();
		}
	}

	private static int pid(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				var result = statement.executeQuery("SELECT pg_backend_pid()")) {
			result.next();
			return result.getInt(1);
		}
	}

}
