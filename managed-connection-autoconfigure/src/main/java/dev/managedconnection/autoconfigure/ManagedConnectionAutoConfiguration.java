package dev.managedconnection.autoconfigure;

import dev.managedconnection.ManagedConnection;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Import;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration}
 * for a {@link ManagedConnection}, its {@link javax.sql.DataSource DataSource} view,
 * {@link dev.managedconnection.annotation.ExclusiveConnection @ExclusiveConnection} and
 * {@link dev.managedconnection.annotation.PostgresNotificationListener @PostgresNotificationListener}.
 * <p>
 * The connection is configured from Boot's {@link JdbcConnectionDetails} when such a bean
 * exists (a service connection) and otherwise from {@code spring.datasource.url},
 * {@code username} and {@code password}, plus {@link ManagedConnectionProperties}. Runs
 * before {@link DataSourceAutoConfiguration}, which then finds our {@code DataSource} and
 * backs off; backs off itself for a user-defined {@code ManagedConnection} or
 * {@code DataSource} bean, when {@link DataSourceAutoConfiguration} is excluded (as tests of an
 * application without a database do), and entirely for {@code managed-connection.enabled=false}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = DataSourceAutoConfiguration.class)
@ConditionalOnClass({ ManagedConnection.class, JdbcConnectionDetails.class })
@ConditionalOnBooleanProperty(name = "managed-connection.enabled", matchIfMissing = true)
@EnableConfigurationProperties({ ManagedConnectionProperties.class, DataSourceProperties.class })
@Import({ ManagedConnectionConfiguration.class, ManagedConnectionDataSourceConfiguration.class,
		ExclusiveConnectionConfiguration.class, NotificationListenerConfiguration.class })
public final class ManagedConnectionAutoConfiguration {

}
