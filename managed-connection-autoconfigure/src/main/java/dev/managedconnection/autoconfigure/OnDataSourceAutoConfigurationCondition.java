package dev.managedconnection.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionEvaluationReport;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches unless Spring Boot's {@code DataSourceAutoConfiguration} was excluded. An application,
 * or a test, that excludes it says it wants no auto-configured {@code DataSource}; the managed
 * connection is one, so it steps back too rather than leave a {@code DataSource} that JPA and
 * Spring Data would then try to use.
 */
class OnDataSourceAutoConfigurationCondition extends SpringBootCondition {

	static final String DATA_SOURCE_AUTO_CONFIGURATION = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		if (context.getBeanFactory() != null && ConditionEvaluationReport.get(context.getBeanFactory())
			.getExclusions()
			.contains(DATA_SOURCE_AUTO_CONFIGURATION)) {
			return ConditionOutcome.noMatch("DataSourceAutoConfiguration is excluded");
		}
		return ConditionOutcome.match("DataSourceAutoConfiguration is not excluded");
	}

}
