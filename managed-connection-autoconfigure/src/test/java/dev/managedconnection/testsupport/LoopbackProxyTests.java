package dev.managedconnection.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.managedconnection.testsupport.LoopbackProxy.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LoopbackProxy}: each mode does to real PostgreSQL traffic what it says.
 */
@Timeout(60)
class LoopbackProxyTests {

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE item (id int PRIMARY KEY)")
		.beforeEachTest("TRUNCATE item");

	private LoopbackProxy proxy;

	private ExecutorService executor;

	@BeforeEach
	void startProxy() {
		TestPostgres server = TestPostgres.get();
		this.proxy = LoopbackProxy.start(server.host(), server.port());
		this.executor = Executors.newSingleThreadExecutor();
	}

	@AfterEach
	void closeProxy() {
		this.executor.shutdownNow();
		this.proxy.close();
	}

	@Test
	void passCarriesQueriesAndCloseBreaksTheConnections() throws SQLException {
		try (Connection connection = connectThroughProxy(0)) {
			assertThat(selectOne(connection)).isEqualTo(1);
			assertThat(this.proxy.openConnections()).isEqualTo(1);
			this.proxy.close();
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> selectOne(connection))
				.satisfies((ex) -> assertThat(ex.getSQLState()).startsWith("08"));
		}
	}

	@Test
	void blackholeAcceptsNewConnectionsButNeverAnswersTheLogin() {
		this.proxy.mode(Mode.BLACKHOLE);
		Properties properties = properties(0);
		properties.setProperty("loginTimeout", "1");
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> DriverManager.getConnection(this.proxy.url(db.name()), properties).close())
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("08001"));
		assertThat(this.proxy.acceptedConnections()).isEqualTo(1);
	}

	@Test
	void blackholeStallsAnOpenConnectionUntilTheClientsSocketTimeout() throws Exception {
		try (Connection connection = connectThroughProxy(1)) {
			assertThat(selectOne(connection)).isEqualTo(1);
			this.proxy.mode(Mode.BLACKHOLE);
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> selectOne(connection))
				.withRootCauseInstanceOf(java.net.SocketTimeoutException.class);
		}
	}

	@Test
	void holdResponsesRunsTheStatementButWithholdsItsReplyUntilPass() throws Exception {
		try (Connection connection = connectThroughProxy(0)) {
			this.proxy.mode(Mode.HOLD_RESPONSES);
			Future<Integer> insert = this.executor.submit(() -> {
				try (Statement statement = connection.createStatement()) {
					return statement.executeUpdate("INSERT INTO item VALUES (1)");
				}
			});
			awaitCommittedRows(1);
			assertThat(insert).isNotDone();
			this.proxy.mode(Mode.PASS);
			assertThat(insert.get(30, TimeUnit.SECONDS)).isEqualTo(1);
		}
	}

	@Test
	void resetBreaksOpenConnectionsAndRefusesNewOnesUntilPass() throws SQLException {
		try (Connection connection = connectThroughProxy(0)) {
			assertThat(selectOne(connection)).isEqualTo(1);
			this.proxy.mode(Mode.RESET);
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> selectOne(connection))
				.satisfies((ex) -> assertThat(ex.getSQLState()).startsWith("08"));
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> connectThroughProxy(0).close());
			assertThat(this.proxy.openConnections()).isZero();
		}
		this.proxy.mode(Mode.PASS);
		try (Connection connection = connectThroughProxy(0)) {
			assertThat(selectOne(connection)).isEqualTo(1);
		}
	}

	@Test
	void resetConnectionsBreaksOpenConnectionsOnceAndKeepsPassing() throws SQLException {
		try (Connection first = connectThroughProxy(0); Connection second = connectThroughProxy(0)) {
			assertThat(this.proxy.openConnections()).isEqualTo(2);
			this.proxy.resetConnections();
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> selectOne(first));
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> selectOne(second));
		}
		assertThat(this.proxy.mode()).isEqualTo(Mode.PASS);
		try (Connection connection = connectThroughProxy(0)) {
			assertThat(selectOne(connection)).isEqualTo(1);
		}
	}

	@Test
	void closeWithAHeldReplyEndsEveryProxyThread() throws Exception {
		Connection connection = connectThroughProxy(0);
		this.proxy.mode(Mode.HOLD_RESPONSES);
		CompletableFuture<Integer> query = CompletableFuture.supplyAsync(() -> {
			try {
				return selectOne(connection);
			}
			catch (SQLException ex) {
				return -1;
			}
		}, this.executor);
		this.proxy.close();
		assertThat(query.get(30, TimeUnit.SECONDS)).isEqualTo(-1);
		connection.close();
		assertThat(Thread.getAllStackTraces().keySet())
			.noneMatch((thread) -> thread.getName().startsWith("loopback-proxy-")
					&& thread.getName().contains(Integer.toString(this.proxy.port())));
	}

	private Connection connectThroughProxy(int socketTimeoutSeconds) throws SQLException {
		return DriverManager.getConnection(this.proxy.url(db.name()), properties(socketTimeoutSeconds));
	}

	private static Properties properties(int socketTimeoutSeconds) {
		Properties properties = new Properties();
		properties.setProperty("user", db.username());
		properties.setProperty("password", db.password());
		properties.setProperty("connectTimeout", "5");
		properties.setProperty("loginTimeout", "10");
		properties.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
		return properties;
	}

	private static int selectOne(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery("SELECT 1")) {
			result.next();
			return result.getInt(1);
		}
	}

	private static void awaitCommittedRows(int expected) throws SQLException {
		try (Connection connection = db.connect(); Statement statement = connection.createStatement()) {
			await().alias(expected + " committed rows")
				.atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> {
					try (ResultSet result = statement.executeQuery("SELECT count(*) FROM item")) {
						result.next();
						return result.getInt(1) == expected;
					}
				});
		}
	}

}
