package dev.managedconnection;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

/**
 * Creates the JDK proxies a connection handle hands out. Each proxy class's constructor is
 * looked up once: {@link Proxy#newProxyInstance} looks the class up in its caches and calls the
 * constructor reflectively every time, which was the largest cost of the managed connection's
 * own in a contended scope (measured with JFR, see docs/benchmarks.md). A constant method
 * handle compiles to a plain allocation.
 */
final class JdbcProxies {

	/**
	 * Every interface a proxy is made for, one proxy class each. Native images need each of
	 * them declared ahead of time.
	 */
	static final List<Class<?>> INTERFACES = List.of(Connection.class, Statement.class, PreparedStatement.class,
			CallableStatement.class, ResultSet.class, DatabaseMetaData.class);

	private static final MethodType CONSTRUCTOR = MethodType.methodType(void.class, InvocationHandler.class);

	private static final MethodType FACTORY = MethodType.methodType(Object.class, InvocationHandler.class);

	private static final MethodHandle NEW_CONNECTION = constructorOf(Connection.class);

	private static final MethodHandle NEW_STATEMENT = constructorOf(Statement.class);

	private static final MethodHandle NEW_PREPARED_STATEMENT = constructorOf(PreparedStatement.class);

	private static final MethodHandle NEW_CALLABLE_STATEMENT = constructorOf(CallableStatement.class);

	private static final MethodHandle NEW_RESULT_SET = constructorOf(ResultSet.class);

	private static final MethodHandle NEW_DATABASE_META_DATA = constructorOf(DatabaseMetaData.class);

	private JdbcProxies() {
	}

	static Connection connection(InvocationHandler handler) {
		return (Connection) create(NEW_CONNECTION, handler);
	}

	static ResultSet resultSet(InvocationHandler handler) {
		return (ResultSet) create(NEW_RESULT_SET, handler);
	}

	/**
	 * Create a proxy with the most specific of the proxied interfaces the target implements.
	 * @param target a statement of any kind, a result set or database metadata
	 * @param handler the handler of the proxy's calls
	 * @return the proxy
	 */
	static Object of(Object target, InvocationHandler handler) {
		MethodHandle constructor = (target instanceof CallableStatement) ? NEW_CALLABLE_STATEMENT
				: (target instanceof PreparedStatement) ? NEW_PREPARED_STATEMENT
				: (target instanceof Statement) ? NEW_STATEMENT
				: (target instanceof ResultSet) ? NEW_RESULT_SET
				: (target instanceof DatabaseMetaData) ? NEW_DATABASE_META_DATA : null;
		if (constructor == null) {
			throw new IllegalArgumentException("No proxy for " + target.getClass().getName());
		}
		return create(constructor, handler);
	}

	private static Object create(MethodHandle constructor, InvocationHandler handler) {
		try {
			return (Object) constructor.invokeExact(handler);
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException("Could not create a JDBC proxy", ex);
		}
	}

	private static MethodHandle constructorOf(Class<?> type) {
		Class<?> proxyClass = Proxy
			.newProxyInstance(JdbcProxies.class.getClassLoader(), new Class<?>[] { type }, (proxy, method, args) -> null)
			.getClass();
		try {
			return MethodHandles.publicLookup().findConstructor(proxyClass, CONSTRUCTOR).asType(FACTORY);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

}
