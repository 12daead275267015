package dev.managedconnection;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

/**
 * The {@link DataSource} view of a {@link ManagedConnection}: inside a scope it hands out the
 * held connection, outside one it acquires the connection exclusively, with autocommit on, until
 * the borrower closes it, as a pool would.
 */
final class ManagedDataSource implements DataSource {

	private final ManagedConnection managedConnection;

	private final ScopeLifecycle scopes;

	ManagedDataSource(ManagedConnection managedConnection, ScopeLifecycle scopes) {
		this.managedConnection = managedConnection;
		this.scopes = scopes;
	}

	/**
	 * Inside a scope, a connection joined to it; otherwise a new scope with autocommit on that
	 * ends when the returned connection is closed.
	 */
	@Override
	public Connection getConnection() throws SQLException {
		if (this.scopes.lock().isHeldByCurrentThread()) {
			return this.scopes.scope().handle(this.managedConnection).join();
		}
		this.scopes.enter(ScopeOptions.DEFAULT, true);
		return this.scopes.scope().handle(this.managedConnection).connection();
	}

	/**
	 * End a scope begun by {@link #getConnection()} when its connection is closed.
	 * @param borrowed the handle of that scope
	 * @throws SQLException if the scope cannot be ended so
	 */
	void release(ConnectionHandle borrowed) throws SQLException {
		Scope scope = this.scopes.scope();
		if (!this.scopes.lock().isHeldByCurrentThread() || scope.handle() != borrowed) {
			throw new SQLException("A connection borrowed from the DataSource view of " + this.managedConnection
					+ " must be closed by the thread that borrowed it, before that thread's enclosing scope ends");
		}
		if (scope.depth() > 1) {
			throw new SQLException("A connection borrowed from the DataSource view of " + this.managedConnection
					+ " was closed while a nested scope is still open");
		}
		this.scopes.endScope(null);
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		throw new SQLFeatureNotSupportedException(
				"A ManagedConnection has one set of credentials; use getConnection() without arguments");
	}

	@Override
	public @Nullable PrintWriter getLogWriter() {
		return null;
	}

	@Override
	public void setLogWriter(PrintWriter out) {
	}

	@Override
	public void setLoginTimeout(int seconds) {
	}

	@Override
	public int getLoginTimeout() {
		return 0;
	}

	@Override
	public Logger getParentLogger() throws SQLFeatureNotSupportedException {
		throw new SQLFeatureNotSupportedException("java.util.logging is not used");
	}

	@Override
	public <T> T unwrap(Class<T> iface) throws SQLException {
		if (iface.isInstance(this)) {
			return iface.cast(this);
		}
		if (iface.isInstance(this.managedConnection)) {
			return iface.cast(this.managedConnection);
		}
		throw new SQLException("'" + getClass().getSimpleName() + "' does not wrap " + iface.getName());
	}

	@Override
	public boolean isWrapperFor(Class<?> iface) {
		return iface.isInstance(this) || iface.isInstance(this.managedConnection);
	}

	@Override
	public String toString() {
		return "DataSource view of " + this.managedConnection;
	}

}
