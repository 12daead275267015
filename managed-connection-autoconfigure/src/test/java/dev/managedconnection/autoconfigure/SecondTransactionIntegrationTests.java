package dev.managedconnection.autoconfigure;

import java.util.List;

import dev.managedconnection.SecondTransactionException;
import dev.managedconnection.annotation.ExclusiveConnection;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Tests that a second transaction on the thread that holds the one connection
 * ({@code REQUIRES_NEW} with {@code DataSourceTransactionManager}) fails fast and commits
 * nothing, while the legitimate ways of joining the held connection keep working. The acquire
 * timeout is ten minutes: waiting for a second connection, as a pool would, fails the test's own
 * timeout instead.
 */
@Timeout(60)
class SecondTransactionIntegrationTests {

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE row_log (name text PRIMARY KEY)")
		.beforeEachTest("TRUNCATE row_log");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ManagedConnectionAutoConfiguration.class,
				DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
				TransactionAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
				JdbcClientAutoConfiguration.class))
		.withUserConfiguration(Services.class);

	@Test
	void requiresNewInsideAnOpenTransactionFailsFastAndCommitsNeitherRow() {
		run((context) -> {
			Outer outer = context.getBean(Outer.class);
			assertThatException().isThrownBy(outer::saveAThenBInNewTransactionThenFail)
				.satisfies(SecondTransactionIntegrationTests::causedBySecondTransaction);
			assertThat(committedRows(context)).isEmpty();
		});
	}

	@Test
	void requiresNewInsideAnOpenTransactionInsideExclusiveConnectionFailsFastAndCommitsNeitherRow() {
		run((context) -> {
			Exclusive exclusive = context.getBean(Exclusive.class);
			assertThatException().isThrownBy(exclusive::saveAThenBInNewTransactionThenFail)
				.satisfies(SecondTransactionIntegrationTests::causedBySecondTransaction);
			assertThat(committedRows(context)).isEmpty();
		});
	}

	@Test
	void anOuterTransactionThatCaughtTheRefusalCannotCommitWhatFollows() {
		run((context) -> {
			Outer outer = context.getBean(Outer.class);
			assertThatException().isThrownBy(outer::saveACatchTheRefusalThenSaveC)
				.satisfies(SecondTransactionIntegrationTests::causedBySecondTransaction);
			assertThat(committedRows(context)).isEmpty();
		});
	}

	@Test
	void requiresNewBeforeTheOuterTransactionRanAnySqlCommitsOnItsOwnAsWithAPool() {
		run((context) -> {
			Outer outer = context.getBean(Outer.class);
			assertThatException().isThrownBy(outer::saveBInNewTransactionThenAThenFail)
				.isInstanceOf(IllegalStateException.class);
			assertThat(committedRows(context)).containsExactly("B");
		});
	}

	@Test
	void jdbcClientCallsInsideExclusiveConnectionJoinTheHeldConnection() {
		run((context) -> {
			context.getBean(Exclusive.class).saveTwoWithJdbcClient();
			assertThat(committedRows(context)).containsExactly("J1", "J2");
		});
	}

	@Test
	void transactionalInsideExclusiveConnectionCommits() {
		run((context) -> {
			context.getBean(Exclusive.class).saveInTransaction();
			assertThat(committedRows(context)).containsExactly("T");
		});
	}

	@Test
	void nestedRequiredTransactionsCommitTogether() {
		run((context) -> {
			context.getBean(Outer.class).saveAThenBInSameTransaction();
			assertThat(committedRows(context)).containsExactly("A", "B");
		});
	}

	@Test
	void aNestedTransactionRollsBackToItsSavepointOnly() {
		run((context) -> {
			context.getBean(Outer.class).saveAThenFailedNestedB();
			assertThat(committedRows(context)).containsExactly("A");
		});
	}

	private void run(org.springframework.boot.test.context.runner.ContextConsumer<AssertableApplicationContext> test) {
		this.contextRunner
			.withPropertyValues(db.dataSourceProperties())
			.withPropertyValues("managed-connection.acquire-timeout=10m")
			.run(test);
	}

	private static List<String> committedRows(AssertableApplicationContext context) {
		return context.getBean(JdbcClient.class).sql("SELECT name FROM row_log ORDER BY name").query(String.class).list();
	}

	private static void causedBySecondTransaction(Throwable thrown) {
		Throwable cause = thrown;
		while (cause != null && !(cause instanceof SecondTransactionException)) {
			cause = cause.getCause();
		}
		assertThat(cause).as("a SecondTransactionException in the causes of %s", thrown).isNotNull();
		assertThat(cause.getMessage()).contains("REQUIRES_NEW").contains("NESTED");
	}

	@Configuration(proxyBeanMethods = false)
	static class Services {

		@Bean
		Inner inner(JdbcClient jdbc) {
			return new Inner(jdbc);
		}

		@Bean
		Outer outer(JdbcClient jdbc, Inner inner) {
			return new Outer(jdbc, inner);
		}

		@Bean
		Exclusive exclusive(JdbcClient jdbc, Outer outer) {
			return new Exclusive(jdbc, outer);
		}

	}

	static class Inner {

		private final JdbcClient jdbc;

		Inner(JdbcClient jdbc) {
			this.jdbc = jdbc;
		}

		@Transactional(propagation = Propagation.REQUIRES_NEW)
		public void saveInNewTransaction(String name) {
			save(this.jdbc, name);
		}

		@Transactional
		public void saveInSameTransaction(String name) {
			save(this.jdbc, name);
		}

		@Transactional(propagation = Propagation.NESTED)
		public void saveNestedThenFail(String name) {
			save(this.jdbc, name);
			throw new IllegalStateException("inner failed on purpose");
		}

	}

	static class Outer {

		private final JdbcClient jdbc;

		private final Inner inner;

		Outer(JdbcClient jdbc, Inner inner) {
			this.jdbc = jdbc;
			this.inner = inner;
		}

		@Transactional
		public void saveAThenBInNewTransactionThenFail() {
			save(this.jdbc, "A");
			this.inner.saveInNewTransaction("B");
			throw new IllegalStateException("outer failed on purpose");
		}

		@Transactional
		public void saveACatchTheRefusalThenSaveC() {
			save(this.jdbc, "A");
			try {
				this.inner.saveInNewTransaction("B");
			}
			catch (RuntimeException ex) {
				// Carries on regardless, as careless code does.
			}
			save(this.jdbc, "C");
		}

		@Transactional
		public void saveBInNewTransactionThenAThenFail() {
			this.inner.saveInNewTransaction("B");
			save(this.jdbc, "A");
			throw new IllegalStateException("outer failed on purpose");
		}

		@Transactional
		public void saveInTransactionOnItsOwn() {
			save(this.jdbc, "T");
		}

		@Transactional
		public void saveAThenBInSameTransaction() {
			save(this.jdbc, "A");
			this.inner.saveInSameTransaction("B");
		}

		@Transactional
		public void saveAThenFailedNestedB() {
			save(this.jdbc, "A");
			try {
				this.inner.saveNestedThenFail("B");
			}
			catch (IllegalStateException ex) {
				// The savepoint is rolled back; the outer transaction goes on.
			}
		}

	}

	static class Exclusive {

		private final JdbcClient jdbc;

		private final Outer outer;

		Exclusive(JdbcClient jdbc, Outer outer) {
			this.jdbc = jdbc;
			this.outer = outer;
		}

		@ExclusiveConnection
		public void saveAThenBInNewTransactionThenFail() {
			this.outer.saveAThenBInNewTransactionThenFail();
		}

		@ExclusiveConnection(commit = true)
		public void saveTwoWithJdbcClient() {
			save(this.jdbc, "J1");
			save(this.jdbc, "J2");
		}

		@ExclusiveConnection
		public void saveInTransaction() {
			this.outer.saveInTransactionOnItsOwn();
		}

	}

	private static void save(JdbcClient jdbc, String name) {
		jdbc.sql("INSERT INTO row_log (name) VALUES (?)").param(name).update();
	}

}
