package dev.managedconnection.annotation;

import java.lang.reflect.Method;
import java.sql.SQLException;
import java.util.function.Supplier;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ScopeOptions;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.util.function.SingletonSupplier;

/**
 * {@link MethodInterceptor} that runs each call of an
 * {@link ExclusiveConnection @ExclusiveConnection} method inside a scope of the
 * {@link ManagedConnection}: acquire, proceed, release under the core's rules.
 * <p>
 * Failing to acquire becomes a {@link CannotGetJdbcConnectionException} whose cause is the
 * {@link SQLException}; the method's own exceptions propagate unchanged (after the
 * connection is released and any open transaction rolled back); an
 * {@link dev.managedconnection.OpenTransactionException OpenTransactionException} from the
 * release propagates as is; an {@link SQLException} from the release (a failed commit, for
 * example a serialization failure or a deferred constraint violation) is translated with
 * Spring's PostgreSQL error codes into a {@link DataAccessException}, as
 * {@code JdbcTemplate} would.
 */
final class ExclusiveConnectionInterceptor implements MethodInterceptor {

	private final Supplier<ManagedConnection> managedConnection;

	private final ExclusiveConnectionAttributeSource attributeSource;

	private final SQLExceptionTranslator exceptionTranslator = new SQLErrorCodeSQLExceptionTranslator("PostgreSQL");

	/**
	 * Create an interceptor.
	 * @param managedConnection supplies the managed connection on first use
	 * @param attributeSource reads and caches the annotation of each method
	 */
	ExclusiveConnectionInterceptor(Supplier<ManagedConnection> managedConnection,
			ExclusiveConnectionAttributeSource attributeSource) {
		this.managedConnection = SingletonSupplier.of(managedConnection);
		this.attributeSource = attributeSource;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Method method = invocation.getMethod();
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target) : null;
		ScopeOptions options = this.attributeSource.getScopeOptions(method, targetClass);
		if (options == null) {
			return invocation.proceed();
		}
		ManagedConnection connection = this.managedConnection.get();
		if (connection.isHeldByCurrentThread()) {
			// Joins the outer call's scope: nothing to count, so nothing a deep stack can leave half-counted.
			return invocation.proceed();
		}
		try {
			connection.acquire(options);
		}
		catch (SQLException ex) {
			throw new CannotGetJdbcConnectionException("Could not acquire the managed connection for '"
					+ ExclusiveConnectionAttributeSource.describe(method) + "': " + ex.getMessage(), ex);
		}
		Object result;
		try {
			result = invocation.proceed();
		}
		catch (Throwable ex) {
			connection.releaseAfterFailure(ex);
			releaseLeakedScopes(connection, method, ex);
			throw ex;
		}
		try {
			connection.release();
		}
		catch (SQLException ex) {
			DataAccessException translated = translate(method, ex);
			releaseLeakedScopes(connection, method, translated);
			throw translated;
		}
		catch (RuntimeException ex) {
			releaseLeakedScopes(connection, method, ex);
			throw ex;
		}
		releaseLeakedScopes(connection, method, null);
		return result;
	}

	/**
	 * Still holding the connection after the outermost release, the method called
	 * {@code acquire()} more often than {@code release()}: end those scopes too, rolling back,
	 * rather than keep the connection from every other thread.
	 */
	private static void releaseLeakedScopes(ManagedConnection connection, Method method, @Nullable Throwable failure) {
		if (!connection.isHeldByCurrentThread()) {
			return;
		}
		IllegalStateException leaked = new IllegalStateException("'" + ExclusiveConnectionAttributeSource.describe(method)
				+ "' called acquire() on " + connection + " more often than release(): every acquire() needs its "
				+ "release() before the method returns; the scopes have been ended and the transaction rolled back");
		while (connection.isHeldByCurrentThread()) {
			connection.releaseAfterFailure((failure != null) ? failure : leaked);
		}
		if (failure == null) {
			throw leaked;
		}
		failure.addSuppressed(leaked);
	}

	private DataAccessException translate(Method method, SQLException ex) {
		String task = "Releasing the managed connection after '" + ExclusiveConnectionAttributeSource.describe(method)
				+ "'";
		DataAccessException translated = this.exceptionTranslator.translate(task, null, ex);
		return (translated != null) ? translated : new UncategorizedSQLException(task, null, ex);
	}

}
