package dev.managedconnection;

import java.sql.Connection;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link ScopeOptions}.
 */
class ScopeOptionsTests {

	@Test
	void theDefaultsChangeNoTransactionCharacteristic() {
		assertThat(ScopeOptions.DEFAULT.readOnly()).isNull();
		assertThat(ScopeOptions.DEFAULT.isolation()).isNull();
		assertThat(ScopeOptions.DEFAULT.deferrable()).isNull();
		assertThat(new ScopeOptions(null, false, false)).isEqualTo(ScopeOptions.DEFAULT);
	}

	@Test
	void eachWitherKeepsTheOtherOptions() {
		ScopeOptions options = ScopeOptions.DEFAULT.withAcquireTimeout(Duration.ofSeconds(2))
			.withCommit(true)
			.withClose(true)
			.withReadOnly(true)
			.withIsolation(Connection.TRANSACTION_SERIALIZABLE)
			.withDeferrable(false);
		assertThat(options).isEqualTo(new ScopeOptions(Duration.ofSeconds(2), true, true, true,
				Connection.TRANSACTION_SERIALIZABLE, false));
		assertThat(options.withCommit(false).withClose(false).withAcquireTimeout(null))
			.isEqualTo(new ScopeOptions(null, false, false, true, Connection.TRANSACTION_SERIALIZABLE, false));
	}

	@Test
	void everyJdbcIsolationLevelButNoneIsAccepted() {
		for (int level : new int[] { Connection.TRANSACTION_READ_UNCOMMITTED, Connection.TRANSACTION_READ_COMMITTED,
				Connection.TRANSACTION_REPEATABLE_READ, Connection.TRANSACTION_SERIALIZABLE }) {
			assertThat(ScopeOptions.DEFAULT.withIsolation(level).isolation()).isEqualTo(level);
		}
	}

	@Test
	void anIsolationThatIsNoJdbcLevelIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ScopeOptions.DEFAULT.withIsolation(Connection.TRANSACTION_NONE))
			.withMessageContaining("'isolation'")
			.withMessageContaining("but was 0");
		assertThatIllegalArgumentException().isThrownBy(() -> ScopeOptions.DEFAULT.withIsolation(3));
	}

	@Test
	void aTimeoutThatIsNotPositiveIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ScopeOptions.DEFAULT.withAcquireTimeout(Duration.ZERO))
			.withMessageContaining("'acquireTimeout'");
	}

}
