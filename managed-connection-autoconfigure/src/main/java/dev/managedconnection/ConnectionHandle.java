package dev.managedconnection;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Connection} a holder sees for one scope: it delegates to the physical connection,
 * remembers which JDBC settings the holder changed and which statements it left open so the
 * release can undo them, and fails fast once the scope has ended, so that no thread can keep
 * using the shared connection without holding it.
 */
final class ConnectionHandle implements InvocationHandler {

	private static final Logger logger = LoggerFactory.getLogger(ManagedConnection.class);

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
			"createStatement", "prepareStatement", "prepareCall",
			// Client-side factories: Hibernate's batch fetching creates arrays on every owner list.
			"createArrayOf", "createStruct", "createBlob", "createClob", "createNClob", "createSQLXML");

	private final ManagedConnection owner;

	private final PhysicalConnection physical;

	private final boolean borrowed;

	private final @Nullable CharacteristicTransactions transactions;

	private final @Nullable ServerNotices serverNotices;

	private final Connection proxy;

	/**
	 * How many times a transaction ended through this handle: tells a transaction a joined
	 * connection found open from a later one.
	 */
	private long transactionEnds;

	private boolean poisoned;

	private volatile boolean released;

	private boolean broken;

	private boolean interruptedByError;

	private boolean unwrapped;

	private boolean sessionTouched;

	private @Nullable OpenStatements openStatements;

	private @Nullable OriginalSettings originalSettings;

	/**
	 * Create a handle for a scope.
	 * @param owner the managed connection
	 * @param physical the physical connection
	 * @param borrowed whether the handle came from the DataSource view outside any scope, so
	 * that closing it ends the scope
	 * @param characteristics the characteristics of the scope's transactions, or {@code null}
	 * to leave them to the session
	 * @param serverNotices what logs the server's notices, or {@code null} when they are not
	 * logged
	 */
	ConnectionHandle(ManagedConnection owner, PhysicalConnection physical, boolean borrowed,
			@Nullable TransactionCharacteristics characteristics, @Nullable ServerNotices serverNotices) {
		this.owner = owner;
		this.physical = physical;
		this.borrowed = borrowed;
		this.transactions = (characteristics != null)
				? new CharacteristicTransactions(owner, this, physical, characteristics) : null;
		this.serverNotices = serverNotices;
		this.proxy = JdbcProxies.connection(this);
	}

	Connection connection() {
		return this.proxy;
	}

	/**
	 * Return a connection for code that asks the DataSource view for one inside this scope: it
	 * runs on this handle, closing it does nothing, and it must not end a transaction open now.
	 * @return the connection
	 */
	Connection join() {
		return JoinedConnection.join(this, this.physical, this.transactionEnds);
	}

	/**
	 * Return whether no transaction has ended on this scope since the given count was taken.
	 * @param transactionEnds the count of transaction ends when a joined connection was handed out
	 * @return whether the transaction open then is still the current one
	 */
	boolean isSameTransaction(long transactionEnds) {
		return !this.poisoned && this.transactionEnds == transactionEnds;
	}

	/**
	 * Roll back the whole transaction that a joined connection tried to end, and refuse every
	 * commit from now on until the scope ends: the outer transaction's work is gone, and
	 * committing what follows would pass for the whole.
	 * @param operation what was tried: {@code commit} or {@code rollback}
	 * @throws SecondTransactionException always
	 */
	void refuseSecondTransaction(String operation) throws SQLException {
		this.poisoned = true;
		rollBackAndThrow(SecondTransactionException.refused(this.owner, operation));
	}

	boolean isPoisoned() {
		return this.poisoned;
	}

	private void rollBackAndThrow(SecondTransactionException refused) throws SQLException {
		try {
			this.physical.connection().rollback();
		}
		catch (SQLException ex) {
			noteFailure(ex);
			refused.addSuppressed(ex);
		}
		throw refused;
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
		requireActive();
		Connection connection = this.physical.connection();
		if (!this.sessionTouched) {
			this.sessionTouched = !SESSION_SAFE_METHODS.contains(name) || mayChangeSession(args);
		}
		if (OriginalSettings.isSetter(name)) {
			OriginalSettings original = this.originalSettings;
			if (original == null) {
				original = new OriginalSettings();
				this.originalSettings = original;
			}
			original.remember(name, connection);
		}
		switch (name) {
			case "commit" -> {
				this.transactionEnds++;
				if (this.poisoned) {
					rollBackAndThrow(SecondTransactionException.rolledBack(this.owner));
				}
				try {
					this.physical.commit();
				}
				catch (SQLException ex) {
					noteFailure(ex);
					throw ex;
				}
				return null;
			}
			case "rollback" -> {
				if (args == null) {
					this.transactionEnds++;
				}
			}
			case "setAutoCommit" -> {
				if (Boolean.TRUE.equals(args[0])) {
					this.transactionEnds++;
					if (this.poisoned && this.physical.status() != TransactionStatus.IDLE) {
						rollBackAndThrow(SecondTransactionException.rolledBack(this.owner));
					}
				}
			}
			case "setSavepoint" -> {
				// pgjdbc begins a transaction for the savepoint, with a plain BEGIN.
				CharacteristicTransactions transactions = this.transactions;
				if (transactions != null) {
					transactions.beginIfIdle();
				}
			}
			case "unwrap" -> {
				this.unwrapped = true;
				return invokeOn(connection, method, args);
			}
			default -> {
			}
		}
		Object result = invokeOn(connection, method, args);
		if (result instanceof Statement statement) {
			// A prepared statement's SQL, which a scope with transaction characteristics reads.
			String sql = (args != null && args.length > 0 && args[0] instanceof String text) ? text : null;
			return track(statement, (Connection) proxy, sql);
		}
		return wrap(result, (Connection) proxy);
	}

	/**
	 * Return what begins the scope's transactions with their characteristics.
	 * @return it, or {@code null} when the scope leaves the characteristics to the session
	 */
	@Nullable CharacteristicTransactions transactions() {
		return this.transactions;
	}

	/**
	 * Return what logs the server's notices.
	 * @return the logger, or {@code null} when notices are not logged in this scope
	 */
	@Nullable ServerNotices serverNotices() {
		return this.serverNotices;
	}

	/**
	 * Log the notices the server raised on the connection itself (at a commit, say, rather than
	 * on a statement, whose notices are logged when it runs), before the release clears them.
	 */
	void logConnectionNotices() {
		ServerNotices notices = this.serverNotices;
		if (notices != null) {
			try {
				notices.log(this.physical.connection().getWarnings());
			}
			catch (SQLException ex) {
				// Closed: nothing left to log.
			}
		}
	}

	/**
	 * Send SQL of the managed connection's own, without letting pgjdbc begin a transaction for
	 * it, noting connection errors on the way.
	 * @param sql the SQL
	 * @throws SQLException if it failed
	 */
	void send(String sql) throws SQLException {
		try {
			this.physical.pgConnection().execSQLUpdate(sql);
		}
		catch (SQLException ex) {
			noteFailure(ex);
			throw ex;
		}
		catch (Error ex) {
			this.interruptedByError = true;
			throw ex;
		}
		finally {
			this.physical.status();
		}
	}

	/**
	 * Return whether a call's SQL argument, if it has one, may change the session.
	 */
	private boolean mayChangeSession(@Nullable Object[] args) {
		return args != null && args.length > 0 && args[0] instanceof String sql
				&& this.owner.sessionStatements().mayChange(sql);
	}

	/**
	 * Note that SQL run on a statement may change the session.
	 * @param sql the SQL
	 */
	void judge(String sql) {
		if (!this.sessionTouched && this.owner.sessionStatements().mayChange(sql)) {
			this.sessionTouched = true;
		}
	}

	/**
	 * Note that the holder reached the driver's own objects, which run SQL we cannot see.
	 */
	void touchSession() {
		this.sessionTouched = true;
		this.unwrapped = true;
	}

	/**
	 * Wrap what a call on the connection or on an object reached from it returned, so that no
	 * statement, result set or metadata hands out the driver's connection.
	 * @param result what the driver returned
	 * @param connection the connection proxy the call was made on
	 * @return the result, wrapped when it is a JDBC object of the scope
	 */
	@Nullable Object wrap(@Nullable Object result, Connection connection) {
		if (result instanceof Statement statement) {
			return track(statement, connection, null);
		}
		if (result instanceof ResultSet || result instanceof DatabaseMetaData) {
			return JdbcProxies.of(result, new ScopedObject(this, connection, result, null, null));
		}
		if (result instanceof Connection) {
			return connection;
		}
		return result;
	}

	private Statement track(Statement statement, Connection connection, @Nullable String sql) {
		OpenStatements statements = this.openStatements;
		if (statements == null) {
			statements = new OpenStatements();
			this.openStatements = statements;
		}
		statements.add(statement);
		return (Statement) JdbcProxies.of(statement, new ScopedObject(this, connection, statement, null, sql));
	}

	/**
	 * Forget a statement the holder closed.
	 * @param statement the driver's statement
	 */
	void forget(Statement statement) {
		OpenStatements statements = this.openStatements;
		if (statements != null) {
			statements.remove(statement);
		}
	}

	/**
	 * Call the driver, noting connection errors on the way.
	 * @param target the driver's object
	 * @param method the method to call
	 * @param args its arguments
	 * @return what it returned
	 * @throws Throwable what it threw
	 */
	@Nullable Object invokeOn(Object target, Method method, @Nullable Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			Throwable thrown = ex.getTargetException();
			if (thrown instanceof SQLException sql) {
				noteFailure(sql);
			}
			else if (thrown instanceof Error) {
				this.interruptedByError = true;
			}
			throw thrown;
		}
		catch (Error ex) {
			// Out of stack or memory on the way into the driver, say: no telling where it stopped.
			this.interruptedByError = true;
			throw ex;
		}
		finally {
			if (mayChangeTransactionStatus(method.getName())) {
				// Kept for other threads, which must not wait for the holder to read it.
				this.physical.status();
			}
		}
	}

	private static boolean mayChangeTransactionStatus(String name) {
		return name.startsWith("execute") || name.equals("commit") || name.equals("rollback")
				|| name.equals("setAutoCommit");
	}

	/**
	 * Note an error the driver raised on the scope's connection: if it says the connection
	 * broke, the release replaces the connection even when the holder swallowed the error.
	 */
	private void noteFailure(SQLException ex) {
		if (!this.broken && BrokenConnections.isBroken(ex)) {
			this.broken = true;
		}
	}

	/**
	 * Return whether the driver raised an error on this scope's connection that says the
	 * connection broke.
	 * @return whether the connection must be replaced
	 */
	boolean sawBrokenConnection() {
		return this.broken;
	}

	boolean isReleased() {
		return this.released;
	}

	/**
	 * Return whether an {@link Error} was thrown on its way through a call on this scope's
	 * connection: the driver may have stopped half-way through reading or writing a message.
	 * @return whether the connection's protocol state can no longer be trusted
	 */
	boolean sawError() {
		return this.interruptedByError;
	}

	/**
	 * Return whether the holder reached the driver's own objects, through which it may have
	 * started what the handle cannot see, such as a COPY.
	 * @return whether it unwrapped the driver's connection, a statement or a result set
	 */
	boolean reachedTheDriver() {
		return this.unwrapped;
	}

	/**
	 * Fail unless the scope is still active.
	 * @throws SQLException once the scope has ended
	 */
	void requireActive() throws SQLException {
		if (this.released) {
			throw new SQLException("Connection handle released: the connection of " + this.owner
					+ " can be used only inside the scope that acquired it");
		}
		if (this.interruptedByError) {
			throw new SQLNonTransientConnectionException("The connection of " + this.owner + " cannot be used for the "
					+ "rest of this scope: an Error was thrown part-way through a call on it, so the driver may be out "
					+ "of step with the server. The scope's end replaces the connection.", "08003");
		}
	}

	/**
	 * Close the statements the holder left open.
	 * @param failure where to attach close failures, or {@code null} to log them at DEBUG
	 */
	void closeStatements(@Nullable Throwable failure) {
		OpenStatements statements = this.openStatements;
		if (statements != null) {
			statements.closeAll(this.owner, failure);
		}
	}

	/**
	 * Put back the JDBC settings the holder changed. Runs after the transaction has ended.
	 * @param defaultAutoCommit the configured autocommit mode
	 * @throws SQLException if a setting could not be restored
	 */
	void restoreSettings(boolean defaultAutoCommit) throws SQLException {
		OriginalSettings.restore(this.originalSettings, this.physical.connection(), defaultAutoCommit, this.borrowed);
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

}
