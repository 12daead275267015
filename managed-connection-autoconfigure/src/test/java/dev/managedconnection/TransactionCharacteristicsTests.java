package dev.managedconnection;

import java.sql.Connection;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TransactionCharacteristics}: the SQL it sends, and which SQL it takes for
 * transaction control.
 */
class TransactionCharacteristicsTests {

	@Test
	void optionsWithoutCharacteristicsHaveNone() {
		assertThat(TransactionCharacteristics.of(ScopeOptions.DEFAULT.withCommit(true).withClose(true))).isNull();
	}

	@Test
	void everyCharacteristicIsInTheBeginStatement() {
		TransactionCharacteristics characteristics = TransactionCharacteristics.of(ScopeOptions.DEFAULT
			.withReadOnly(true)
			.withIsolation(Connection.TRANSACTION_SERIALIZABLE)
			.withDeferrable(true));
		assertThat(characteristics.begin(false)).isEqualTo("BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE");
		assertThat(characteristics.set(false))
			.isEqualTo("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE");
	}

	@Test
	void onlyTheCharacteristicsSetAreInTheBeginStatement() {
		assertThat(begin(ScopeOptions.DEFAULT.withReadOnly(false))).isEqualTo("BEGIN READ WRITE");
		assertThat(begin(ScopeOptions.DEFAULT.withDeferrable(false))).isEqualTo("BEGIN NOT DEFERRABLE");
		assertThat(begin(ScopeOptions.DEFAULT.withIsolation(Connection.TRANSACTION_READ_UNCOMMITTED)))
			.isEqualTo("BEGIN ISOLATION LEVEL READ UNCOMMITTED");
		assertThat(begin(ScopeOptions.DEFAULT.withIsolation(Connection.TRANSACTION_REPEATABLE_READ).withReadOnly(false)))
			.isEqualTo("BEGIN ISOLATION LEVEL REPEATABLE READ, READ WRITE");
	}

	@Test
	void aHoldersReadOnlyHintMakesTheTransactionReadOnlyUnlessTheScopeSaysOtherwise() {
		TransactionCharacteristics isolationOnly = TransactionCharacteristics
			.of(ScopeOptions.DEFAULT.withIsolation(Connection.TRANSACTION_READ_COMMITTED));
		assertThat(isolationOnly.begin(true)).isEqualTo("BEGIN ISOLATION LEVEL READ COMMITTED, READ ONLY");
		assertThat(TransactionCharacteristics.of(ScopeOptions.DEFAULT.withReadOnly(false)).begin(true))
			.isEqualTo("BEGIN READ WRITE");
	}

	@Test
	void equalOptionsShareOneInstance() {
		ScopeOptions options = ScopeOptions.DEFAULT.withReadOnly(true).withIsolation(Connection.TRANSACTION_SERIALIZABLE);
		assertThat(TransactionCharacteristics.of(options))
			.isSameAs(TransactionCharacteristics.of(options.withCommit(true)));
	}

	@Test
	void transactionControlIsRecognizedInAnyCaseAfterComments() {
		assertThat(TransactionCharacteristics.isTransactionControl("BEGIN")).isTrue();
		assertThat(TransactionCharacteristics.isTransactionControl(" /* a /* b */ */ begin isolation level serializable"))
			.isTrue();
		assertThat(TransactionCharacteristics.isTransactionControl("-- start\nSTART TRANSACTION READ ONLY")).isTrue();
		assertThat(TransactionCharacteristics.isTransactionControl("commit")).isTrue();
		assertThat(TransactionCharacteristics.isTransactionControl("END")).isTrue();
		assertThat(TransactionCharacteristics.isTransactionControl("ROLLBACK TO SAVEPOINT a")).isTrue();
		assertThat(TransactionCharacteristics.isTransactionControl("abort")).isTrue();
		assertThat(TransactionCharacteristics.isTransactionControl("SAVEPOINT a")).isTrue();
		assertThat(TransactionCharacteristics.isTransactionControl("RELEASE SAVEPOINT a")).isTrue();
		assertThat(TransactionCharacteristics.isTransactionControl("PREPARE TRANSACTION 'tx-1'")).isTrue();
		assertThat(TransactionCharacteristics.isTransactionControl("COMMIT PREPARED 'tx-1'")).isTrue();
		assertThat(TransactionCharacteristics.isTransactionControl("ROLLBACK PREPARED 'tx-1'")).isTrue();
	}

	@Test
	void otherSqlIsNotTransactionControl() {
		assertThat(TransactionCharacteristics.isTransactionControl("SELECT 1")).isFalse();
		assertThat(TransactionCharacteristics.isTransactionControl("PREPARE p AS SELECT 1")).isFalse();
		assertThat(TransactionCharacteristics.isTransactionControl("INSERT INTO begin_date VALUES (1)")).isFalse();
		assertThat(TransactionCharacteristics.isTransactionControl("\"begin\"")).isFalse();
		assertThat(TransactionCharacteristics.isTransactionControl("'BEGIN'")).isFalse();
		assertThat(TransactionCharacteristics.isTransactionControl("/* BEGIN */ SELECT 1")).isFalse();
		assertThat(TransactionCharacteristics.isTransactionControl("")).isFalse();
	}

	private static String begin(ScopeOptions options) {
		return TransactionCharacteristics.of(options).begin(false);
	}

}
