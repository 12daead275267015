package dev.managedconnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.managedconnection.TestSql.queryLong;
import static dev.managedconnection.TestSql.update;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that the notices the server raises during a scope reach its holder as JDBC warnings,
 * never the next holder, whatever the session reset mode, and are logged at the configured
 * level on {@value ServerNotices#LOGGER_NAME}.
 */
@Timeout(60)
class ServerNoticesIntegrationTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE FUNCTION raise_notice(message text) RETURNS int LANGUAGE plpgsql AS "
				+ "$$ BEGIN RAISE NOTICE '%', message; RETURN 1; END $$",
				"CREATE FUNCTION raise_warning(message text) RETURNS int LANGUAGE plpgsql AS "
						+ "$$ BEGIN RAISE WARNING '%', message; RETURN 1; END $$",
				// A notice raised at COMMIT reaches the connection's warnings, not a statement's.
				"CREATE TABLE audited (id int)",
				"CREATE FUNCTION notice_at_commit() RETURNS trigger LANGUAGE plpgsql AS "
						+ "$$ BEGIN RAISE NOTICE 'committing %', NEW.id; RETURN NULL; END $$",
				"CREATE CONSTRAINT TRIGGER audit AFTER INSERT ON audited "
						+ "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION notice_at_commit()");

	private ManagedConnection managed;

	@Test
	void theHolderSeesItsNoticesOnTheStatement() throws SQLException {
		this.managed = db.managed();
		List<String> warnings = this.managed.execute(COMMIT, (connection) -> {
			try (Statement statement = connection.createStatement()) {
				statement.execute("SELECT raise_notice('hello'), raise_warning('careful')");
				return messages(statement.getWarnings());
			}
		});
		assertThat(warnings).containsExactly("hello", "careful");
	}

	@Test
	void theHolderSeesANoticeRaisedAtCommitOnTheConnection() throws SQLException {
		this.managed = db.managed();
		List<String> warnings = this.managed.execute((connection) -> {
			update(connection, "INSERT INTO audited VALUES (7)");
			connection.commit();
			return messages(connection.getWarnings());
		});
		assertThat(warnings).containsExactly("committing 7");
	}

	@ParameterizedTest
	@EnumSource(SessionReset.class)
	void theNextHolderSeesNoNoticeOfThePrevious(SessionReset sessionReset) throws SQLException {
		this.managed = db.managed((builder) -> builder.sessionReset(sessionReset));
		this.managed.execute(COMMIT, (connection) -> {
			update(connection, "INSERT INTO audited VALUES (1)");
			connection.commit();
			assertThat(messages(connection.getWarnings())).containsExactly("committing 1");
			try (Statement statement = connection.createStatement()) {
				statement.execute("SELECT raise_notice('mine')");
			}
			return null;
		});
		List<String> next = this.managed.execute(COMMIT, (connection) -> {
			List<String> seen = new ArrayList<>(messages(connection.getWarnings()));
			try (Statement statement = connection.createStatement()) {
				seen.addAll(messages(statement.getWarnings()));
				statement.execute("SELECT 1");
				seen.addAll(messages(statement.getWarnings()));
			}
			return seen;
		});
		assertThat(next).isEmpty();
	}

	@Test
	void noticesAreLoggedAtDebugByDefault() throws Exception {
		this.managed = db.managed();
		try (LogCapture log = LogCapture.of(ServerNotices.LOGGER_NAME)) {
			this.managed.execute(COMMIT,
					(connection) -> queryLong(connection, "SELECT raise_notice('hello') + raise_warning('careful')"));
			assertThat(log.events()).extracting(ILoggingEvent::getLevel).containsExactly(Level.DEBUG, Level.DEBUG);
			assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage)
				.satisfiesExactly((notice) -> assertThat(notice).startsWith("Server NOTICE on ManagedConnection[")
					.endsWith(": hello (SQLState 00000)"),
						(warning) -> assertThat(warning).startsWith("Server WARNING on ")
							.endsWith(": careful (SQLState 01000)"));
		}
	}

	@ParameterizedTest
	@EnumSource(value = ServerNoticesLogLevel.class, names = { "INFO", "WARN" })
	void noticesAreLoggedAtTheConfiguredLevel(ServerNoticesLogLevel level) throws Exception {
		this.managed = db.managed((builder) -> builder.serverNoticesLogLevel(level));
		try (LogCapture log = LogCapture.of(ServerNotices.LOGGER_NAME)) {
			this.managed.execute((connection) -> {
				try (PreparedStatement statement = connection.prepareStatement("SELECT raise_notice(?)")) {
					for (String message : List.of("first", "second")) {
						statement.setString(1, message);
						statement.executeQuery().close();
					}
				}
				update(connection, "INSERT INTO audited VALUES (3)");
				connection.commit();
				return null;
			});
			assertThat(log.events()).extracting(ILoggingEvent::getLevel).containsOnly(Level.valueOf(level.name()));
			assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage)
				.satisfiesExactly((first) -> assertThat(first).endsWith(": first (SQLState 00000)"),
						(second) -> assertThat(second).endsWith(": second (SQLState 00000)"),
						(commit) -> assertThat(commit).endsWith(": committing 3 (SQLState 00000)"));
		}
	}

	@Test
	void noticesAreNotLoggedWhenOff() throws Exception {
		this.managed = db.managed((builder) -> builder.serverNoticesLogLevel(ServerNoticesLogLevel.OFF));
		try (LogCapture log = LogCapture.of(ServerNotices.LOGGER_NAME)) {
			String warning = this.managed.execute(COMMIT, (connection) -> {
				try (Statement statement = connection.createStatement()) {
					statement.execute("SELECT raise_notice('quiet')");
					return statement.getWarnings().getMessage();
				}
			});
			assertThat(warning).as("still seen by the holder").isEqualTo("quiet");
			assertThat(log.events()).isEmpty();
		}
	}

	@Test
	void aScopeCarriesNoNoticeLoggerWhileTheLoggerIsOffAtTheLevel() throws Exception {
		this.managed = db.managed();
		try (LogCapture log = LogCapture.of(ServerNotices.LOGGER_NAME)) {
			log.level(Level.INFO);
			this.managed.execute(COMMIT, (connection) -> queryLong(connection, "SELECT raise_notice('hello')"));
			assertThat(log.events()).isEmpty();
			log.level(Level.DEBUG);
			this.managed.execute(COMMIT, (connection) -> queryLong(connection, "SELECT raise_notice('again')"));
			assertThat(log.events()).extracting(ILoggingEvent::getFormattedMessage)
				.singleElement()
				.asString()
				.endsWith(": again (SQLState 00000)");
		}
	}

	private static List<String> messages(SQLWarning first) {
		List<String> messages = new ArrayList<>();
		for (SQLWarning warning = first; warning != null; warning = warning.getNextWarning()) {
			messages.add(warning.getMessage());
		}
		return messages;
	}

}
