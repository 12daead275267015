package dev.managedconnection;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

import dev.managedconnection.testsupport.OwnedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Security tests: {@code sslmode} from the URL or the property map reaches pgjdbc unchanged and
 * is never downgraded; against a server without SSL a mode that requires it fails, on every
 * attempt.
 */
@Timeout(60)
class SslModeIntegrationTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private static OwnedPostgres postgres;

	@BeforeAll
	static void startServerWithoutSsl() {
		postgres = OwnedPostgres.builder().setting("ssl", "off").start();
	}

	@AfterAll
	static void closeServer() {
		postgres.close();
	}

	@ParameterizedTest
	@ValueSource(strings = { "require", "verify-ca", "verify-full" })
	void aModeThatRequiresSslFailsFromTheUrl(String mode) {
		assertRefused(ManagedConnection.builder().url(postgres.url("postgres") + "?sslmode=" + mode));
	}

	@ParameterizedTest
	@ValueSource(strings = { "require", "verify-ca", "verify-full" })
	void aModeThatRequiresSslFailsFromTheProperties(String mode) {
		Properties properties = new Properties();
		properties.setProperty("sslmode", mode);
		assertRefused(ManagedConnection.builder().url(postgres.url("postgres")).properties(properties));
	}

	@Test
	void aModeThatAllowsPlainConnectionsWorks() throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("sslmode", "prefer");
		try (ManagedConnection managed = ManagedConnection.builder()
			.url(postgres.url("postgres") + "?sslmode=disable")
			.username(OwnedPostgres.SUPERUSER)
			.properties(properties)
			.build()) {
			assertThat(managed.execute(COMMIT, TestSql::backendPid)).isPositive();
		}
	}

	private static void assertRefused(ManagedConnectionBuilder builder) {
		try (ManagedConnection managed = builder.username(OwnedPostgres.SUPERUSER)
			.acquireTimeout(Duration.ofSeconds(1))
			.build()) {
			Throwable failure = catchThrowable(() -> managed.execute(COMMIT, TestSql::backendPid));
			assertThat(failure).isInstanceOf(SQLException.class);
			assertThat(Faults.allThrowables(failure)).anySatisfy(
					(each) -> assertThat(each.getMessage()).containsIgnoringCase("server does not support SSL"));
			// No attempt fell back to a plain session.
			assertThat(managed.isClosed()).isTrue();
		}
	}

}
