package dev.managedconnection.aot;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import dev.managedconnection.annotation.ExclusiveConnection;
import dev.managedconnection.annotation.PostgresNotificationListener;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * The run-time hints of a native image that uses the managed connection through Spring: the
 * JDK proxies a connection handle hands out, the pgjdbc field that shows an open COPY, and the
 * annotations Spring synthesizes when they are used as meta-annotations. The same proxies
 * and field are declared for native images without Spring in
 * {@code META-INF/native-image/dev.managedconnection/managed-connection-autoconfigure/reachability-metadata.json}.
 */
class ManagedConnectionRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		// One proxy class per interface; a test holds this list to the one the core proxies.
		for (Class<?> type : new Class<?>[] { Connection.class, Statement.class, PreparedStatement.class,
				CallableStatement.class, ResultSet.class, DatabaseMetaData.class }) {
			hints.proxies().registerJdkProxy(type);
		}
		hints.reflection()
			.registerType(TypeReference.of("org.postgresql.core.v3.QueryExecutorImpl"),
					(type) -> type.withField("lockedFor"));
		for (Class<?> annotation : new Class<?>[] { ExclusiveConnection.class, PostgresNotificationListener.class }) {
			// Composed annotations (@AliasFor) are synthesized as JDK proxies of the annotation.
			hints.reflection().registerType(annotation, MemberCategory.INVOKE_DECLARED_METHODS);
			hints.proxies().registerJdkProxy(annotation);
		}
	}

}
