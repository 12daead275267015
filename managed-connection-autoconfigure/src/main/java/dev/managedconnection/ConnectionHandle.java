package dev.managedconnection;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The {@link Connection} a holder sees for one scope: it delegates to the physical connection,
 * remembers which JDBC settings the holder changed and which statements it left open so the
 * release can undo them, and fails fast once the scope has ended, so that no thread can keep
 * using the shared connection without holding it.
 */
final class ConnectionHandle implements InvocationHandler {

	/**
	 * Connection methods that cannot change the server session (beyond what the JDBC restore
	 * and the end of the transaction undo). Statements are judged by their SQL, see
	 * {@link SessionStatements}; any other call (unwrapping the driver's connection, say) may
	 * change the session, for {@link SessionReset#DISCARD_ALL}.
	 */
	private static final Set<String> SESSION_SAFE_METHODS = Set.of("getAutoCommit", "setAutoCommit", "commit",
			"rollback", "setSavepoint", "releaseSavepoint", "isReadOnly", "setReadOnly", "getTransactionIsolation",
			"setTransactionIsolation", "getSchema", "getCatalog", "setCatalog", "getMetaData", "isValid",
			"getWarnings", "clearWarnings", "getHoldability", "setHoldability", "getNetworkTimeout",
			"setNetworkTimeout", "isWrapperFor", "getClientInfo", "getTypeMap", "setTypeMap", "nativeSQL",
			"createStatement", "prepareStatement", "prepareCall");

	private final ManagedConnection owner;

	private final PhysicalConnection physical;

	private final boolean borrowed;

	private final Connection proxy;

	private @Nullable Connection joinedView;

	private volatile boolean released;

	private boolean sessionTouched;

	private @Nullable List<Statement> openStatements;

	private boolean autoCommitChanged;

	private @Nullable Boolean originalReadOnly;

	private @Nullable Integer originalIsolation;

	private boolean schemaChanged;

	private @Nullable String originalSchema;

	private @Nullable Integer originalNetworkTimeout;

	private @Nullable Integer originalHoldability;

	/**
	 * Create a handle for a scope.
	 * @param owner the managed connection
	 * @param physical the physical connection
	 * @param borrowed whether the handle came from the DataSource view outside any scope, so
	 * that closing it ends the scope
	 */
	ConnectionHandle(ManagedConnection owner, PhysicalConnection physical, boolean borrowed) {
		this.owner = owner;
		this.physical = physical;
		this.borrowed = borrowed;
		this.proxy = JdbcProxies.connection(this);
	}

	Connection connection() {
		return this.proxy;
	}

	/**
	 * Return a view of this handle whose {@code close()} does nothing, for code that borrows a
	 * connection from the DataSource view inside a scope.
	 * @return the view
	 */
	Connection joinedView() {
		if (!this.borrowed) {
			// Closing the scope's own handle does nothing already.
			return this.proxy;
		}
		Connection view = this.joinedView;
		if (view == null) {
			view = JdbcProxies.connection(this);
			this.joinedView = view;
		}
		return view;
	}

	boolean isBorrowed() {
		return this.borrowed;
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
				return "ManagedConnection handle" + (this.released ? " (released)" : "") + " of " + this.owner;
			case "isClosed":
				return this.released;
			case "close":
				if (!this.released && this.borrowed && proxy == this.proxy) {
					this.owner.releaseBorrowed(this);
				}
				return null;
			default:
		}
		if (this.released) {
			throw new SQLException("Connection handle released: the connection of " + this.owner
					+ " can be used only inside the scope that acquired it");
		}
		Connection connection = this.physical.connection();
		if (!this.sessionTouched) {
			this.sessionTouched = !SESSION_SAFE_METHODS.contains(name) || mayChangeSession(args);
		}
		switch (name) {
			case "setAutoCommit" -> this.autoCommitChanged = true;
			case "setReadOnly" -> {
				if (this.originalReadOnly == null) {
					this.originalReadOnly = connection.isReadOnly();
				}
			}
			case "setTransactionIsolation" -> {
				if (this.originalIsolation == null) {
					this.originalIsolation = connection.getTransactionIsolation();
				}
			}
			case "setSchema" -> {
				if (!this.schemaChanged) {
					this.originalSchema = connection.getSchema();
					this.schemaChanged = true;
				}
			}
			case "setNetworkTimeout" -> {
				if (this.originalNetworkTimeout == null) {
					this.originalNetworkTimeout = connection.getNetworkTimeout();
				}
			}
			case "setHoldability" -> {
				if (this.originalHoldability == null) {
					this.originalHoldability = connection.getHoldability();
				}
			}
			case "commit" -> {
				this.physical.commit();
				return null;
			}
			default -> {
			}
		}
		Object result = invokeOn(connection, method, args);
		if (result instanceof Statement statement) {
			return track(statement, method.getReturnType());
		}
		return result;
	}

	/**
	 * Return whether a call's SQL argument, if it has one, may change the session.
	 */
	private boolean mayChangeSession(@Nullable Object[] args) {
		return args != null && args.length > 0 && args[0] instanceof String sql
				&& this.owner.sessionStatements().mayChange(sql);
	}

	private Statement track(Statement statement, Class<?> declaredType) {
		List<Statement> statements = this.openStatements;
		if (statements == null) {
			statements = new ArrayList<>(4);
			this.openStatements = statements;
		}
		statements.add(statement);
		return JdbcProxies.statement(declaredType, new StatementView(statement));
	}

	/**
	 * Close the statements the holder left open.
	 * @param failure where to attach close failures, or {@code null} to ignore them
	 */
	void closeStatements(@Nullable Throwable failure) {
		List<Statement> statements = this.openStatements;
		if (statements == null) {
			return;
		}
		for (Statement statement : statements) {
			try {
				statement.close();
			}
			catch (SQLException ex) {
				if (failure != null) {
					failure.addSuppressed(ex);
				}
			}
		}
		statements.clear();
	}

	/**
	 * Put back the JDBC settings the holder changed. Runs after the transaction has ended.
	 * @param defaultAutoCommit the configured autocommit mode
	 * @throws SQLException if a setting could not be restored
	 */
	void restoreSettings(boolean defaultAutoCommit) throws SQLException {
		Connection connection = this.physical.connection();
		if (this.autoCommitChanged || this.borrowed) {
			connection.setAutoCommit(defaultAutoCommit);
		}
		if (this.originalReadOnly != null) {
			connection.setReadOnly(this.originalReadOnly);
		}
		if (this.originalIsolation != null) {
			connection.setTransactionIsolation(this.originalIsolation);
		}
		if (this.schemaChanged) {
			connection.setSchema(this.originalSchema);
		}
		if (this.originalNetworkTimeout != null) {
			connection.setNetworkTimeout(Runnable::run, this.originalNetworkTimeout);
		}
		if (this.originalHoldability != null) {
			connection.setHoldability(this.originalHoldability);
		}
	}

	/**
	 * Return whether the holder used this handle in a way that may have changed the server
	 * session: ran SQL that {@link SessionStatements} flags, unwrapped the driver's connection
	 * or a statement, or changed the client info.
	 * @return whether the session may differ from how the scope found it
	 */
	boolean mayHaveChangedSession() {
		return this.sessionTouched;
	}

	/**
	 * End this handle: every later call on it fails.
	 */
	void invalidate() {
		this.released = true;
	}

	private static @Nullable Object invokeOn(Object target, Method method, @Nullable Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getTargetException();
		}
	}

	/**
	 * A statement whose {@code getConnection()} answers the handle rather than the physical
	 * connection, and which forgets itself when closed.
	 */
	private final class StatementView implements InvocationHandler {

		private final Statement statement;

		StatementView(Statement statement) {
			this.statement = statement;
		}

		@Override
		public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
			switch (method.getName()) {
				case "getConnection":
					return ConnectionHandle.this.proxy;
				case "equals":
					return proxy == args[0];
				case "hashCode":
					return System.identityHashCode(proxy);
				case "close":
					forget();
					break;
				case "unwrap":
					// The driver's statement runs SQL we cannot see.
					ConnectionHandle.this.sessionTouched = true;
					break;
				default:
					if (!ConnectionHandle.this.sessionTouched && mayChangeSession(args)) {
						ConnectionHandle.this.sessionTouched = true;
					}
			}
			return invokeOn(this.statement, method, args);
		}

		private void forget() {
			List<Statement> statements = ConnectionHandle.this.openStatements;
			if (statements != null) {
				for (int i = statements.size() - 1; i >= 0; i--) {
					if (statements.get(i) == this.statement) {
						statements.remove(i);
						return;
					}
				}
			}
		}

	}

}
