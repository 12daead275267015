package dev.managedconnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static dev.managedconnection.testsupport.ManagedConnectionWaits.awaitWaitingThreads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for the {@link ManagedConnection#asDataSource() DataSource view} with Spring's
 * {@link JdbcTemplate} and {@link DataSourceTransactionManager}, inside and outside a scope.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManagedDataSourceTests {

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE item (id int PRIMARY KEY)")
		.beforeEachTest("TRUNCATE item");

	private DataSource dataSource;

	private JdbcTemplate jdbcTemplate;

	@BeforeEach
	void createJdbcTemplate() {
		this.dataSource = db.managed().asDataSource();
		this.jdbcTemplate = new JdbcTemplate(this.dataSource);
	}

	@Test
	void aConnectionHandedOutWhileATransactionIsOpenCannotEndItAndNothingIsCommitted() throws SQLException {
		try (Connection outer = this.dataSource.getConnection()) {
			outer.setAutoCommit(false);
			TestSql.update(outer, "INSERT INTO item VALUES (1)");
			try (Connection inner = this.dataSource.getConnection()) {
				TestSql.update(inner, "INSERT INTO item VALUES (2)");
				assertThatExceptionOfType(SecondTransactionException.class).isThrownBy(inner::commit)
					.withMessageContaining("REQUIRES_NEW");
			}
			// The outer transaction's work is gone: it must not pass for committed.
			TestSql.update(outer, "INSERT INTO item VALUES (3)");
			assertThatExceptionOfType(SecondTransactionException.class).isThrownBy(outer::commit);
			outer.rollback();
		}
		assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
	}

	@Test
	void aConnectionHandedOutWithNoTransactionOpenEndsItsOwnTransaction() throws SQLException {
		try (Connection outer = this.dataSource.getConnection()) {
			outer.setAutoCommit(false);
			try (Connection inner = this.dataSource.getConnection()) {
				TestSql.update(inner, "INSERT INTO item VALUES (1)");
				inner.commit();
			}
			TestSql.update(outer, "INSERT INTO item VALUES (2)");
			outer.rollback();
		}
		assertThat(db.queryLong("SELECT id FROM item")).isOne();
	}

	@Test
	void jdbcTemplateOutsideAnyScopeCommitsEachStatementAndReleases() throws SQLException {
		this.jdbcTemplate.update("INSERT INTO item VALUES (1)");
		assertThat(db.managed().isHeldByCurrentThread()).isFalse();
		assertThat(db.queryLong("SELECT count(*) FROM item")).isOne();
		// The borrow turned autocommit on only for itself.
		db.managed().execute((connection) -> {
			assertThat(connection.getAutoCommit()).isFalse();
			return null;
		});
	}

	@Test
	void borrowedConnectionIsExclusiveUntilClosed() throws Exception {
		CountDownLatch acquired = new CountDownLatch(1);
		AtomicLong waitedFor = new AtomicLong();
		try (Connection borrowed = this.dataSource.getConnection()) {
			assertThat(db.managed().isHeldByCurrentThread()).isTrue();
			Thread other = new Thread(() -> {
				try {
					db.managed().execute((connection) -> {
						acquired.countDown();
						return null;
					});
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			});
			other.start();
			awaitWaitingThreads(db.managed(), 1);
			waitedFor.set(acquired.getCount());
			borrowed.createStatement().close();
		}
		assertThat(waitedFor.get()).as("the other thread waited while the connection was borrowed").isOne();
		assertThat(acquired.await(30, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void jdbcTemplateInsideScopeJoinsHeldConnectionAndTransaction() throws SQLException {
		db.managed().execute((connection) -> {
			this.jdbcTemplate.update("INSERT INTO item VALUES (1)");
			assertThat(db.managed().status()).isEqualTo(TransactionStatus.IN_TRANSACTION);
			int pid = this.jdbcTemplate.queryForObject("SELECT pg_backend_pid()", Integer.class);
			assertThat(pid).isEqualTo(TestSql.backendPid(connection));
			connection.rollback();
			return null;
		});
		assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
	}

	@Test
	void transactionManagerOutsideScopeCommits() {
		TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(this.dataSource));
		transactions.executeWithoutResult((status) -> {
			this.jdbcTemplate.update("INSERT INTO item VALUES (1)");
			this.jdbcTemplate.update("INSERT INTO item VALUES (2)");
		});
		assertThat(db.managed().isHeldByCurrentThread()).isFalse();
		assertThat(db.managed().status()).isEqualTo(TransactionStatus.IDLE);
	}

	@Test
	void transactionManagerOutsideScopeRollsBackOnException() throws SQLException {
		TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(this.dataSource));
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> transactions.executeWithoutResult((status) -> {
			this.jdbcTemplate.update("INSERT INTO item VALUES (1)");
			throw new IllegalStateException("boom");
		}));
		assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
		assertThat(db.managed().isHeldByCurrentThread()).isFalse();
	}

	@Test
	void transactionManagerInsideScopeRunsOnHeldConnection() throws SQLException {
		TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(this.dataSource));
		db.managed().execute((connection) -> {
			transactions.executeWithoutResult((status) -> this.jdbcTemplate.update("INSERT INTO item VALUES (1)"));
			assertThat(db.managed().status()).isEqualTo(TransactionStatus.IDLE);
			assertThat(db.managed().isHeldByCurrentThread()).isTrue();
			return null;
		});
		assertThat(db.queryLong("SELECT count(*) FROM item")).isOne();
	}

	@Test
	void borrowerLeavingTransactionOpenIsRolledBackAndToldOnClose() throws SQLException {
		Connection borrowed = this.dataSource.getConnection();
		borrowed.setAutoCommit(false);
		TestSql.update(borrowed, "INSERT INTO item VALUES (1)");
		assertThatExceptionOfType(OpenTransactionException.class).isThrownBy(borrowed::close);
		assertThat(db.managed().isHeldByCurrentThread()).isFalse();
		assertThat(db.queryLong("SELECT count(*) FROM item")).isZero();
	}

	@Test
	void closingConnectionFromViewInsideScopeDoesNotEndTheScope() throws SQLException {
		db.managed().execute((connection) -> {
			try (Connection view = this.dataSource.getConnection()) {
				TestSql.update(view, "INSERT INTO item VALUES (1)");
			}
			assertThat(db.managed().isHeldByCurrentThread()).isTrue();
			TestSql.update(connection, "INSERT INTO item VALUES (2)");
			connection.commit();
			return null;
		});
		assertThat(db.queryLong("SELECT count(*) FROM item")).isEqualTo(2);
	}

}
