package dev.managedconnection;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import dev.managedconnection.testsupport.OwnedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.managedconnection.TestSql.update;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two-phase commit as SQL ({@code PREPARE TRANSACTION}, {@code COMMIT PREPARED},
 * {@code ROLLBACK PREPARED}): a scope that prepares its transaction ends with none open, and is
 * not reported as having left one. Runs on a private server, as it needs
 * {@code max_prepared_transactions} above zero, which the shared one may not have.
 */
@Timeout(120)
class TwoPhaseCommitIntegrationTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private static OwnedPostgres postgres;

	private ManagedConnection managed;

	@BeforeAll
	static void startServerWithPreparedTransactions() {
		postgres = OwnedPostgres.builder().setting("max_prepared_transactions", "4").start();
		postgres.execute("CREATE TABLE item (id int PRIMARY KEY)");
	}

	@AfterAll
	static void closeServer() {
		postgres.close();
	}

	@BeforeEach
	void clean() {
		postgres.execute("TRUNCATE item");
	}

	@AfterEach
	void rollBackPreparedTransactionsAndClose() throws SQLException {
		if (this.managed != null) {
			this.managed.close();
		}
		// A prepared transaction outlives its session and holds its locks until it is ended.
		try (Connection connection = postgres.connect("postgres"); Statement statement = connection.createStatement()) {
			for (String gid : preparedTransactions()) {
				statement.execute("ROLLBACK PREPARED '" + gid + "'");
			}
		}
	}

	@Test
	void aScopeThatPreparesItsTransactionEndsIdleAndCommitPreparedCommitsIt() throws SQLException {
		this.managed = build(false);
		TransactionStatus afterPrepare = this.managed.execute((connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			update(connection, "PREPARE TRANSACTION 'mc-commit'");
			return this.managed.status();
		});
		assertThat(afterPrepare).isEqualTo(TransactionStatus.IDLE);
		assertThat(this.managed.status()).isEqualTo(TransactionStatus.IDLE);
		assertThat(preparedTransactions()).containsExactly("mc-commit");
		assertThat(count()).as("not committed yet").isZero();
		this.managed.execute((connection) -> {
			// COMMIT PREPARED cannot run inside a transaction block.
			connection.setAutoCommit(true);
			return update(connection, "COMMIT PREPARED 'mc-commit'");
		});
		assertThat(preparedTransactions()).isEmpty();
		assertThat(count()).isOne();
	}

	@Test
	void rollbackPreparedUndoesThePreparedTransaction() throws SQLException {
		this.managed = build(false);
		this.managed.execute(COMMIT, (connection) -> {
			update(connection, "INSERT INTO item VALUES (1)");
			return update(connection, "PREPARE TRANSACTION 'mc-rollback'");
		});
		this.managed.execute((connection) -> {
			connection.setAutoCommit(true);
			return update(connection, "ROLLBACK PREPARED 'mc-rollback'");
		});
		assertThat(preparedTransactions()).isEmpty();
		assertThat(count()).isZero();
	}

	@Test
	void withAutocommitAndTransactionCharacteristicsTheWholeCycleRunsAsSql() throws SQLException {
		this.managed = build(true);
		ScopeOptions serializable = ScopeOptions.DEFAULT.withIsolation(Connection.TRANSACTION_SERIALIZABLE);
		this.managed.execute(serializable, (connection) -> {
			try (Statement statement = connection.createStatement()) {
				statement.execute("BEGIN");
				statement.execute("INSERT INTO item VALUES (1)");
				statement.execute("PREPARE TRANSACTION 'mc-autocommit'");
			}
			return null;
		});
		assertThat(preparedTransactions()).containsExactly("mc-autocommit");
		this.managed.execute(serializable, (connection) -> update(connection, "COMMIT PREPARED 'mc-autocommit'"));
		assertThat(count()).isOne();
	}

	private ManagedConnection build(boolean autoCommit) {
		return ManagedConnection.builder()
			.url(postgres.url("postgres"))
			.username(OwnedPostgres.SUPERUSER)
			.autoCommit(autoCommit)
			.build();
	}

	private static long count() throws SQLException {
		try (Connection connection = postgres.connect("postgres")) {
			return TestSql.queryLong(connection, "SELECT count(*) FROM item");
		}
	}

	private static List<String> preparedTransactions() throws SQLException {
		List<String> gids = new ArrayList<>();
		try (Connection connection = postgres.connect("postgres"); Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT gid FROM pg_prepared_xacts WHERE gid LIKE 'mc-%'")) {
			while (result.next()) {
				gids.add(result.getString(1));
			}
		}
		return gids;
	}

}
