package dev.managedconnection.autoconfigure;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.metrics.ManagedConnectionMetrics;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * for {@link ManagedConnectionMetrics} when Micrometer and a {@link MeterRegistry} are
 * present. The metrics are the auto-configured connection's
 * {@link dev.managedconnection.MetricsTracker MetricsTracker}; a {@link ManagedConnection}
 * bean of your own records into them when built with
 * {@code metricsTracker(managedConnectionMetrics)}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = ManagedConnectionAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({ ManagedConnection.class, MeterRegistry.class })
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnSingleCandidate(ManagedConnection.class)
public final class ManagedConnectionMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ManagedConnectionMetrics managedConnectionMetrics() {
		return new ManagedConnectionMetrics();
	}

}
