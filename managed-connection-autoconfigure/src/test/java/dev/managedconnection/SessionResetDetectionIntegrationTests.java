package dev.managedconnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that {@link SessionReset#DISCARD_ALL} discards only after a scope that may have changed
 * the session. A server-side prepared statement (pgjdbc prepares one on its second execution
 * with {@code prepareThreshold=1}) survives exactly when no {@code DISCARD ALL} ran.
 */
class SessionResetDetectionIntegrationTests {

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE item (id int PRIMARY KEY, name text)");

	@Test
	void ordinaryStatementsKeepTheSessionAndSessionCommandsDiscardIt() throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("prepareThreshold", "1");
		ManagedConnection managed = db.managed((builder) -> builder.properties(properties));
		ScopeOptions commit = ScopeOptions.DEFAULT.withCommit(true);
		managed.execute(commit, SessionResetDetectionIntegrationTests::prepareOnServer);
		long prepared = managed.execute(commit, SessionResetDetectionIntegrationTests::preparedOnServer);
		assertThat(prepared).isPositive();
		managed.execute(commit, (connection) -> TestSql.update(connection,
				"UPDATE item SET name = 'settled' WHERE id = 1"));
		long afterUpdate = managed.execute(commit, SessionResetDetectionIntegrationTests::preparedOnServer);
		assertThat(afterUpdate).as("nothing discarded after an UPDATE").isGreaterThanOrEqualTo(prepared);
		managed.execute(commit, (connection) -> TestSql.update(connection, "SET search_path = public"));
		// Only the counting statement itself, prepared again after the discard.
		assertThat(managed.execute(commit, SessionResetDetectionIntegrationTests::preparedOnServer))
			.as("discarded after SET").isOne();
	}

	@Test
	void applicationNameSurvivesDiscardAll() throws SQLException {
		ManagedConnection managed = db.managed((builder) -> builder.applicationName("ledger-test"));
		ScopeOptions commit = ScopeOptions.DEFAULT.withCommit(true);
		managed.execute(commit, (connection) -> TestSql.update(connection, "SET search_path = public"));
		String name = managed.execute(commit, (connection) -> {
			try (PreparedStatement statement = connection.prepareStatement("SELECT current_setting('application_name')");
					ResultSet rs = statement.executeQuery()) {
				rs.next();
				return rs.getString(1);
			}
		});
		assertThat(name).isEqualTo("ledger-test");
	}

	private static Void prepareOnServer(Connection connection) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM item WHERE id = ?")) {
			// The second execution reaches the threshold and is prepared on the server.
			for (int i = 0; i < 2; i++) {
				statement.setInt(1, 1);
				statement.executeQuery().close();
			}
		}
		return null;
	}

	private static long preparedOnServer(Connection connection) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM pg_prepared_statements");
				ResultSet rs = statement.executeQuery()) {
			rs.next();
			return rs.getLong(1);
		}
	}

}
