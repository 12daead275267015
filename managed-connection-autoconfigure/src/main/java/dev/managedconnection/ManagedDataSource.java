package dev.managedconnection;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * The {@link DataSource} view of a {@link ManagedConnection}: inside a scope it hands out the
 * held connection, outside one it acquires the connection exclusively, with autocommit on, until
 * the borrower closes it, as a pool would.
 */
final class ManagedDataSource implements DataSource {

	private final ManagedConnection managedConnection;

	ManagedDataSource(ManagedConnection managedConnection) {
		this.managedConnection = managedConnection;
	}

	@Override
	public Connection getConnection() throws SQLException {
		return this.managedConnection.borrow();
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		throw new SQLFeatureNotSupportedException(
				"A ManagedConnection has one set of credentials; use getConnection() without arguments");
	}

	@Override
	public PrintWriter getLogWriter() {
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
