package dev.managedconnection;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * Creates the JDK proxies a connection handle hands out. Each proxy class's constructor is
 * looked up once: {@link Proxy#newProxyInstance} looks the class up in its caches and calls the
 * constructor reflectively every time, which was the largest cost of the managed connection's
 * own in a contended scope (measured with JFR, see docs/benchmarks.md). A constant method
 * handle compiles to a plain allocation.
 */
final class JdbcProxies {

	private static final MethodType CONSTRUCTOR = MethodType.methodType(void.class, InvocationHandler.class);

	private static final MethodType FACTORY = MethodType.methodType(Object.class, InvocationHandler.class);

	private static final MethodHandle NEW_CONNECTION = constructorOf(Connection.class);

	private static final MethodHandle NEW_STATEMENT = constructorOf(Statement.class);

	private static final MethodHandle NEW_PREPARED_STATEMENT = constructorOf(PreparedStatement.class);

	private static final MethodHandle NEW_CALLABLE_STATEMENT = constructorOf(CallableStatement.class);

	private JdbcProxies() {
	}

	static Connection connection(InvocationHandler handler) {
		try {
			return (Connection) (Object) NEW_CONNECTION.invokeExact(handler);
		}
		catch (Throwable ex) {
			throw new IllegalStateException("Could not create a connection proxy", ex);
		}
	}

	/**
	 * Create a statement proxy of the type a connection method declared.
	 * @param declaredType {@link CallableStatement}, {@link PreparedStatement} or, for anything
	 * else, {@link Statement}
	 * @param handler the handler of the proxy's calls
	 * @return the proxy
	 */
	static Statement statement(Class<?> declaredType, InvocationHandler handler) {
		MethodHandle constructor = (declaredType == PreparedStatement.class) ? NEW_PREPARED_STATEMENT
				: (declaredType == CallableStatement.class) ? NEW_CALLABLE_STATEMENT : NEW_STATEMENT;
		try {
			return (Statement) (Object) constructor.invokeExact(handler);
		}
		catch (Throwable ex) {
			throw new IllegalStateException("Could not create a statement proxy", ex);
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
