package com.example.ledger.web;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import dev.managedconnection.CommitOutcomeUnknownException;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Tests for {@link LedgerExceptionHandler} with database failures produced for real: a commit on
 * a connection whose backend was terminated (outcome unknown), a server that refuses
 * connections or a database that does not exist (unavailable), and anything else (a 500 that says nothing of its cause).
 */
@Timeout(60)
class LedgerExceptionHandlerTests {

	private static TestDatabase db;

	private final LedgerExceptionHandler handler = new LedgerExceptionHandler();

	@BeforeAll
	static void createDatabase() {
		db = TestPostgres.get().createDatabase(LedgerExceptionHandlerTests.class);
	}

	@AfterAll
	static void dropDatabase() {
		if (db != null) {
			db.close();
		}
	}

	@Test
	void commitOnABrokenConnectionIsServiceUnavailableWithOutcomeUnknown() {
		CommitOutcomeUnknownException failure = commitAfterBackendTerminated();
		assertProblem(this.handler.unexpected(failure), 503, "outcome-unknown");
	}

	@Test
	void commitFailureTranslatedBySpringIsStillOutcomeUnknown() {
		// What @ExclusiveConnection(commit = true) throws when its commit breaks this way.
		DataAccessException translated = new SQLErrorCodeSQLExceptionTranslator("PostgreSQL").translate("commit", null,
				commitAfterBackendTerminated());
		assertThat(translated).isNotNull();
		assertProblem(this.handler.unexpected(translated), 503, "outcome-unknown");
	}

	@Test
	void connectionRefusedIsServiceUnavailable() {
		ResponseEntity<ProblemDetail> response = this.handler
			.unexpected(new CannotGetJdbcConnectionException("Could not acquire", acquireFailure("127.0.0.1:1/nothing")));
		assertProblem(response, 503, "database-unavailable");
		assertThat(response.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
	}

	@Test
	void missingDatabaseIsServiceUnavailable() {
		// The server answers, so the connection is not broken; it refuses (3D000), so there is none.
		TestPostgres server = TestPostgres.get();
		SQLException missing = acquireFailure(server.host() + ":" + server.port() + "/no_such_ledger_database");
		assertThat(missing.getSQLState()).isEqualTo("3D000");
		assertThat(ManagedConnection.isBrokenConnection(missing)).isFalse();
		assertProblem(this.handler.unexpected(new CannotGetJdbcConnectionException("Could not acquire", missing)), 503,
				"database-unavailable");
	}

	/**
	 * What acquiring a managed connection to the given host, port and database throws.
	 */
	private static SQLException acquireFailure(String hostPortDatabase) {
		SQLException failure = catchThrowableOfType(SQLException.class, () -> {
			try (ManagedConnection unreachable = ManagedConnection.builder()
				.url("jdbc:postgresql://" + hostPortDatabase)
				.username(db.username())
				.password(db.password())
				.acquireTimeout(Duration.ofMillis(200))
				.build()) {
				unreachable.execute((connection) -> null);
			}
		});
		assertThat((Throwable) failure).isNotNull();
		return failure;
	}

	@Test
	void anyOtherFailureIsAnInternalErrorThatDoesNotRepeatItsMessage() {
		ResponseEntity<ProblemDetail> response = this.handler
			.unexpected(new IllegalStateException("SELECT secret FROM vault"));
		assertProblem(response, 500, "internal-error");
		assertThat(response.getBody().getDetail()).doesNotContain("SELECT", "secret");
	}

	private static CommitOutcomeUnknownException commitAfterBackendTerminated() {
		try (ManagedConnection managed = ManagedConnection.builder()
			.url(db.url())
			.username(db.username())
			.password(db.password())
			.build()) {
			CommitOutcomeUnknownException failure = catchThrowableOfType(CommitOutcomeUnknownException.class,
					() -> managed.execute((connection) -> {
						try (Statement statement = connection.createStatement()) {
							statement.execute("CREATE TABLE IF NOT EXISTS doomed (id int)");
						}
						terminate(managed.state().backendPid());
						connection.commit();
						return null;
					}));
			assertThat((Throwable) failure).isNotNull();
			return failure;
		}
	}

	private static void terminate(int backendPid) throws SQLException {
		try (Connection admin = db.connect(); Statement statement = admin.createStatement()) {
			statement.execute("SELECT pg_terminate_backend(" + backendPid + ", 10000)");
		}
	}

	private static void assertProblem(ResponseEntity<ProblemDetail> response, int status, String typeName) {
		assertThat(response.getStatusCode().value()).isEqualTo(status);
		ProblemDetail problem = response.getBody();
		assertThat(problem).isNotNull();
		assertThat(problem.getStatus()).isEqualTo(status);
		assertThat(problem.getType().toString()).endsWith("/problems/" + typeName);
		assertThat(problem.getDetail()).doesNotContain("Exception", "jdbc:", "127.0.0.1");
	}

}
