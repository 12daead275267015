package dev.managedconnection;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.jspecify.annotations.Nullable;

/**
 * The handler behind a statement, result set or database metadata reached from a
 * {@link ConnectionHandle}. Wherever the driver would hand out its own connection, or a statement
 * that does, it answers the handle's objects instead; it dies with the scope as the handle does;
 * and it tells the handle of connection errors and of SQL that may change the session.
 */
final class ScopedObject implements InvocationHandler {

	private final ConnectionHandle handle;

	private final Connection connection;

	private final Object target;

	private final boolean statement;

	/**
	 * For a prepared or callable statement, its SQL.
	 */
	private final @Nullable String sql;

	/**
	 * For a result set, the proxy of the statement that produced it, once known.
	 */
	private @Nullable Object statementProxy;

	/**
	 * For a statement, the result set it returned last and its proxy, so that
	 * {@code getResultSet()} answers the same object each time, as the driver does.
	 */
	private @Nullable Object lastResultSet;

	private @Nullable Object lastResultSetProxy;

	/**
	 * Create the handler of one JDBC object.
	 * @param handle the scope's handle
	 * @param connection the connection proxy the object was reached from, answered by
	 * {@code getConnection()}
	 * @param target the driver's object
	 * @param statementProxy for a result set, the proxy of the statement that produced it, or
	 * {@code null} to wrap the driver's answer when asked
	 * @param sql for a prepared or callable statement, its SQL, otherwise {@code null}
	 */
	ScopedObject(ConnectionHandle handle, Connection connection, Object target, @Nullable Object statementProxy,
			@Nullable String sql) {
		this.handle = handle;
		this.connection = connection;
		this.target = target;
		this.statement = target instanceof Statement;
		this.statementProxy = statementProxy;
		this.sql = sql;
	}

	Object target() {
		return this.target;
	}

	@Override
	public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
		String name = method.getName();
		switch (name) {
			case "equals":
				return proxy == args[0];
			case "hashCode":
				return System.identityHashCode(proxy);
			case "toString":
				return this.target.toString();
			case "isClosed":
				if (this.handle.isReleased()) {
					return true;
				}
				break;
			case "close":
				// Closed with the scope already: the driver must not be used without holding it.
				if (this.handle.isReleased()) {
					return null;
				}
				if (this.statement) {
					this.handle.forget((Statement) this.target);
				}
				break;
			default:
		}
		this.handle.requireActive();
		switch (name) {
			case "getConnection":
				return this.connection;
			case "getStatement":
				if (this.target instanceof ResultSet resultSet) {
					return statementOf(resultSet);
				}
				break;
			case "unwrap":
				// Explicit: the caller wants the driver's object, and may run SQL we cannot see.
				this.handle.touchSession();
				return this.handle.invokeOn(this.target, method, args);
			default:
				if (this.statement && args != null && args.length > 0 && args[0] instanceof String sql) {
					this.handle.judge(sql);
				}
		}
		ServerNotices notices = this.handle.serverNotices();
		CharacteristicTransactions transactions = this.handle.transactions();
		Object result;
		try {
			result = (transactions != null) ? invokeInTransaction(transactions, name, method, args)
					: this.handle.invokeOn(this.target, method, args);
		}
		finally {
			if (notices != null && this.statement && name.startsWith("execute")) {
				// The driver clears a statement's warnings when it runs again: these are this run's.
				notices.logWarningsOf((Statement) this.target);
			}
		}
		if (result instanceof ResultSet resultSet && this.statement) {
			return resultSetProxy(resultSet, proxy);
		}
		return this.handle.wrap(result, this.connection);
	}

	/**
	 * Call the driver in a scope with transaction characteristics: a call that runs SQL runs it
	 * in a transaction that began with them.
	 */
	private @Nullable Object invokeInTransaction(CharacteristicTransactions transactions, String name, Method method,
			@Nullable Object[] args) throws Throwable {
		if (this.statement) {
			if (name.startsWith("execute")) {
				String sql = (args != null && args.length > 0 && args[0] instanceof String text) ? text : this.sql;
				return transactions.invokeInTransaction(this.target, method, args, sql);
			}
		}
		else if (this.target instanceof ResultSet) {
			if (changesRow(name)) {
				return transactions.invokeInTransaction(this.target, method, args, null);
			}
		}
		else if (this.target instanceof DatabaseMetaData && runsQuery(method)) {
			// With autocommit on a catalog query is left alone: no characteristic changes what it reads.
			transactions.beginIfIdle();
		}
		return this.handle.invokeOn(this.target, method, args);
	}

	/**
	 * Return whether a result set method runs a statement of its own.
	 */
	private static boolean changesRow(String name) {
		return name.equals("insertRow") || name.equals("updateRow") || name.equals("deleteRow")
				|| name.equals("refreshRow");
	}

	/**
	 * Return whether a {@link DatabaseMetaData} method may run a query: in pgjdbc, those that
	 * return a result set, the maximum lengths and counts it reads from the catalog, the SQL
	 * keywords and the default isolation. {@code TransactionCharacteristicsIntegrationTests}
	 * checks every other method against the driver.
	 */
	static boolean runsQuery(Method method) {
		String name = method.getName();
		return method.getReturnType() == ResultSet.class || name.startsWith("getMax")
				|| name.equals("getSQLKeywords") || name.equals("getDefaultTransactionIsolation");
	}

	private @Nullable Object statementOf(ResultSet resultSet) throws SQLException {
		Object known = this.statementProxy;
		if (known == null) {
			Statement driverStatement = resultSet.getStatement();
			if (driverStatement == null) {
				return null;
			}
			known = this.handle.wrap(driverStatement, this.connection);
			this.statementProxy = known;
		}
		return known;
	}

	private Object resultSetProxy(ResultSet resultSet, Object statementProxy) {
		if (resultSet != this.lastResultSet || this.lastResultSetProxy == null) {
			this.lastResultSet = resultSet;
			this.lastResultSetProxy = JdbcProxies.resultSet(
					new ScopedObject(this.handle, this.connection, resultSet, statementProxy, null));
		}
		return this.lastResultSetProxy;
	}

}
