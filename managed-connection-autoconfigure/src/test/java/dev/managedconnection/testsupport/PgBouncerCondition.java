package dev.managedconnection.testsupport;

import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a {@link RequiresPgBouncer} test class only where {@code pgbouncer} is installed.
 */
final class PgBouncerCondition implements ExecutionCondition {

	/**
	 * The environment variable that turns a missing {@code pgbouncer} from a skip into a failure.
	 */
	static final String REQUIRED_VARIABLE = "MANAGED_CONNECTION_TEST_REQUIRE_PGBOUNCER";

	static final String MISSING = "No 'pgbouncer' on the PATH, so the PgBouncer tests are skipped; install "
			+ "PgBouncer to run them (Debian and Ubuntu: apt-get install pgbouncer, then make sure /usr/sbin is on the PATH)";

	private static final AtomicBoolean announced = new AtomicBoolean();

	@Override
	public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
		if (TestPgBouncer.findBinary() != null) {
			return ConditionEvaluationResult.enabled("pgbouncer is installed");
		}
		if (Boolean.parseBoolean(System.getenv(REQUIRED_VARIABLE))) {
			throw new ExtensionConfigurationException(
					"No 'pgbouncer' on the PATH, but " + REQUIRED_VARIABLE + "=true requires the PgBouncer tests to run");
		}
		if (announced.compareAndSet(false, true)) {
			System.err.println(MISSING);
		}
		return ConditionEvaluationResult.disabled(MISSING);
	}

}
