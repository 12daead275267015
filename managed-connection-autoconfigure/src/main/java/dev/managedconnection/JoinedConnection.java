package dev.managedconnection;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.sql.Connection;

import org.jspecify.annotations.Nullable;

/**
 * The connection the {@link ManagedDataSource DataSource view} hands to a thread that already
 * holds the connection: it runs on the scope's {@link ConnectionHandle}, and closing it does
 * nothing. If a transaction was open when it was handed out, the code that asked for it must not
 * end that transaction: a transaction manager starting a {@code REQUIRES_NEW} transaction would
 * otherwise commit or roll back the outer transaction's work with its own.
 */
final class JoinedConnection implements InvocationHandler {

	private final ConnectionHandle handle;

	/**
	 * The count of transaction ends on the scope when this connection was handed out while a
	 * transaction was open, or {@code -1} when none was open.
	 */
	private final long joinedTransaction;

	private JoinedConnection(ConnectionHandle handle, long joinedTransaction) {
		this.handle = handle;
		this.joinedTransaction = joinedTransaction;
	}

	/**
	 * Hand out a connection joined to a scope.
	 * @param handle the scope's handle
	 * @param physical its physical connection
	 * @param transactionEnds how many transactions ended in the scope so far
	 * @return the connection
	 */
	static Connection join(ConnectionHandle handle, PhysicalConnection physical, long transactionEnds) {
		TransactionStatus status = physical.status();
		boolean open = status == TransactionStatus.IN_TRANSACTION || status == TransactionStatus.IN_ERROR;
		return JdbcProxies.connection(new JoinedConnection(handle, open ? transactionEnds : -1));
	}

	@Override
	public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
		switch (method.getName()) {
			case "close":
				return null;
			case "commit":
			case "rollback":
				if (args == null) {
					refuseIfForeign(method.getName());
				}
				break;
			case "setAutoCommit":
				// Turning autocommit on commits the open transaction.
				if (Boolean.TRUE.equals(args[0])) {
					refuseIfForeign("commit");
				}
				break;
			default:
		}
		return this.handle.invoke(proxy, method, args);
	}

	private void refuseIfForeign(String operation) throws Throwable {
		if (this.joinedTransaction >= 0 && this.handle.isSameTransaction(this.joinedTransaction)) {
			this.handle.refuseSecondTransaction(operation);
		}
	}

}
