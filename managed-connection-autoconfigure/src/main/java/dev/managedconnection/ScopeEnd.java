package dev.managedconnection;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the outermost scope of a {@link ManagedConnection}, after a normal return and after a
 * failure alike: it decides what becomes of the physical connection and what the caller must
 * hear, and does everything up to, not including, the unlock. One object per managed connection,
 * used by the holder only; its outcome stays in its fields until the next scope ends, so that
 * ending a scope allocates nothing unless something went wrong.
 */
final class ScopeEnd {

	private static final Logger logger = LoggerFactory.getLogger(ManagedConnection.class);

	/**
	 * What becomes of the physical connection.
	 */
	enum Disposal {

		/** Handed to the next holder. */
		KEEP,

		/** Closed with a goodbye to the server. */
		CLOSE,

		/** Closed at once: nothing more may be said to the server on it. */
		ABORT

	}

	private final Object owner;

	private final SessionReset sessionReset;

	private final boolean autoCommit;

	private final int validationTimeoutSeconds;

	private final MetricsTracker metricsTracker;

	private Disposal disposal = Disposal.KEEP;

	private String reason = "";

	private @Nullable Exception problem;

	private final Notifications notifications;

	ScopeEnd(Object owner, ManagedConnectionSettings settings, MetricsTracker metricsTracker,
			Notifications notifications) {
		this.owner = owner;
		this.notifications = notifications;
		this.sessionReset = settings.sessionReset();
		this.autoCommit = settings.autoCommit();
		this.validationTimeoutSeconds = ConnectionSource.validationTimeoutSeconds(settings);
		this.metricsTracker = metricsTracker;
	}

	/**
	 * End the scope: close what the holder left open, end its transaction and reset the session,
	 * unless the connection can no longer be trusted. Read the outcome from
	 * {@link #disposal()}, {@link #reason()} and {@link #problem()}.
	 * @param current the scope's physical connection
	 * @param ending the scope's handle, or {@code null} if the holder never asked for it
	 * @param options the scope's options
	 * @param failure what the holder threw, or {@code null} after a normal return
	 */
	void end(PhysicalConnection current, @Nullable ConnectionHandle ending, ScopeOptions options,
			@Nullable Throwable failure) {
		// Should anything below fail part-way, the connection is not handed on.
		this.disposal = Disposal.ABORT;
		this.reason = "ending the scope failed";
		this.problem = null;
		if (failure instanceof Error || (ending != null && ending.sawError())) {
			// The driver may have stopped half-way through a message: nothing it says can be trusted.
			this.reason = "an Error interrupted the holder";
			return;
		}
		if (isBroken(current, ending, failure)) {
			this.reason = "it broke during the scope";
			this.problem = (failure == null) ? lostTransaction(current, ending, options) : null;
			return;
		}
		if (ending != null && ending.reachedTheDriver()) {
			if (!CopyGuard.isAvailable()) {
				// A COPY left open, which locks the connection for good, cannot be seen here.
				this.reason = "the holder reached the driver, and COPY operations cannot be seen in this pgjdbc";
				return;
			}
			if (CopyGuard.activeCopy(current.pgConnection()) != null) {
				// pgjdbc leaves the protocol out of step after cancelling some: the server ends the
				// COPY, and rolls back, when the connection is aborted.
				this.reason = "a COPY was left open";
				this.problem = new SQLException("A COPY was still in progress when the scope on " + this.owner
						+ " ended: the connection was closed, so the server cancelled it and rolled the transaction "
						+ "back. End a COPY with endCopy() or cancelCopy() before the scope ends.", "25000");
				return;
			}
		}
		endCleanly(current, ending, options, failure);
	}

	private void endCleanly(PhysicalConnection current, @Nullable ConnectionHandle ending, ScopeOptions options,
			@Nullable Throwable failure) {
		if (ending != null) {
			ending.closeStatements(failure);
		}
		this.disposal = options.close() ? Disposal.CLOSE : Disposal.KEEP;
		this.reason = "the scope asked for it";
		try {
			this.problem = endTransaction(current, ending, options, failure);
		}
		catch (SQLException | RuntimeException ex) {
			this.problem = ex;
			if (current.isClosed() || BrokenConnections.isBroken(ex) || !rollBackIfStillOpen(current, ex)) {
				this.disposal = Disposal.CLOSE;
				this.reason = "its transaction could not be ended";
			}
		}
		if (ending != null) {
			ending.logConnectionNotices();
		}
		Exception reported = this.problem;
		if (this.disposal == Disposal.KEEP
				&& !resetSession(current, ending, (reported != null) ? reported : failure)) {
			this.disposal = Disposal.CLOSE;
			this.reason = "its session could not be reset";
		}
	}

	/**
	 * Tell the caller what went wrong ending the scope: after a normal return by throwing it,
	 * after a failure by adding it to the failure, whose exception goes on unchanged.
	 * @param failure what the holder threw, or {@code null}
	 * @throws SQLException after a normal return, if committing or ending the transaction failed
	 * @throws OpenTransactionException after a normal return with a transaction left open
	 */
	void report(@Nullable Throwable failure) throws SQLException {
		Exception reported = this.problem;
		if (reported == null) {
			return;
		}
		if (failure != null) {
			failure.addSuppressed(reported);
			return;
		}
		if (reported instanceof SQLException sql) {
			throw sql;
		}
		throw (RuntimeException) reported;
	}

	Disposal disposal() {
		return this.disposal;
	}

	String reason() {
		return this.reason;
	}

	/**
	 * Return whether the connection broke during the scope: the driver closed it, or told the
	 * holder so. An error that only looks like a broken connection (a timeout of another pool
	 * is SQLState 08001 too) must not cost a healthy connection: the server is asked.
	 */
	private boolean isBroken(PhysicalConnection current, @Nullable ConnectionHandle ending,
			@Nullable Throwable failure) {
		if (current.isClosed() || (ending != null && ending.sawBrokenConnection())) {
			return true;
		}
		if (failure != null && BrokenConnections.isBroken(failure)) {
			SQLException invalid = current.validate(this.validationTimeoutSeconds);
			if (invalid != null) {
				failure.addSuppressed(invalid);
				return true;
			}
		}
		return false;
	}

	/**
	 * After a normal return on a connection that broke: the server rolled back what was open,
	 * which the holder must hear of as if it had left the transaction open.
	 * @return what to throw, or {@code null} when no transaction was open
	 */
	private @Nullable Exception lostTransaction(PhysicalConnection current, @Nullable ConnectionHandle ending,
			ScopeOptions options) {
		TransactionStatus status = current.lastKnownStatus();
		if (status != TransactionStatus.IN_TRANSACTION && status != TransactionStatus.IN_ERROR) {
			return null;
		}
		this.metricsTracker.rolledBack(RollbackReason.OPEN_TRANSACTION);
		if (options.commit() && (ending == null || !ending.isBorrowed())) {
			return new SQLNonTransientConnectionException("Could not commit the scope's transaction on " + this.owner
					+ ": the connection broke before the scope ended, and the server rolled the transaction back",
					"08006");
		}
		logger.warn("The transaction left {} on {} was lost with the connection, which broke during the scope", status,
				this.owner);
		return new OpenTransactionException(status);
	}

	/**
	 * End a transaction the holder left open: after a failure roll it back; after a normal
	 * return commit it (with the {@code commit} option) or roll it back and report it.
	 * @return what to throw after a forced rollback, or {@code null}
	 */
	private @Nullable Exception endTransaction(PhysicalConnection current, @Nullable ConnectionHandle ending,
			ScopeOptions options, @Nullable Throwable failure) throws SQLException {
		boolean borrowed = ending != null && ending.isBorrowed();
		TransactionStatus status = current.status();
		if (status != TransactionStatus.IN_TRANSACTION && status != TransactionStatus.IN_ERROR) {
			return null;
		}
		if (failure != null) {
			current.connection().rollback();
			this.metricsTracker.rolledBack(RollbackReason.EXCEPTION);
			// Expected: ending a failed scope is what the rollback is for.
			logger.debug("Rolled back the open transaction of {} after the holder threw {}", this.owner,
					failure.getClass().getName());
			return null;
		}
		if (options.commit() && !borrowed) {
			if (ending != null && ending.isPoisoned()) {
				current.connection().rollback();
				return SecondTransactionException.rolledBack(this.owner);
			}
			current.commit();
			return null;
		}
		OpenTransactionException problem = new OpenTransactionException(status);
		try {
			current.connection().rollback();
		}
		catch (SQLException ex) {
			ex.addSuppressed(problem);
			throw ex;
		}
		this.metricsTracker.rolledBack(RollbackReason.OPEN_TRANSACTION);
		if (borrowed) {
			// Spring's DataSourceUtils swallows exceptions from close(): the log is what users see.
			logger.warn("{} Rolled back a transaction left open on a connection borrowed from the DataSource view of {}",
					OpenTransactionException.MESSAGE, this.owner);
		}
		else {
			logger.warn("Rolled back a transaction left {} on release of {}", status, this.owner);
		}
		return problem;
	}

	/**
	 * After ending the transaction failed, make sure none is left open.
	 * @return whether the connection is out of any transaction
	 */
	private static boolean rollBackIfStillOpen(PhysicalConnection current, Exception problem) {
		if (current.status() == TransactionStatus.IDLE) {
			return true;
		}
		try {
			current.connection().rollback();
			return true;
		}
		catch (SQLException ex) {
			problem.addSuppressed(ex);
			return false;
		}
	}

	/**
	 * Undo what the holder changed on the connection, as far as the session reset mode says.
	 * Runs after the transaction has ended.
	 * @param problem what already went wrong in the scope, to attach a failure to, or {@code null}
	 * @return whether the connection may be kept: with its settings in doubt the next holder
	 * gets a fresh one instead
	 */
	private boolean resetSession(PhysicalConnection current, @Nullable ConnectionHandle ending,
			@Nullable Throwable problem) {
		try {
			boolean listening = this.notifications.isActive();
			if (listening) {
				// Before a reset, and before the next holder could read them.
				this.notifications.collect(current);
			}
			if (ending != null) {
				resetWhatTheHolderChanged(current, ending, listening);
				if (ending.mayHaveChangedSession()) {
					// A SET of application_name, TimeZone, a role: as the reset left them.
					current.rememberParameterStatuses();
				}
				// Client-side only: the server's notices to this holder are not the next one's.
				current.connection().clearWarnings();
			}
			if (listening && this.notifications.isPending()) {
				this.notifications.sync(current);
			}
			return true;
		}
		catch (SQLException | RuntimeException ex) {
			// The transaction has ended, committed perhaps: this failure is no reason to tell the
			// caller its work failed.
			if (problem != null) {
				problem.addSuppressed(ex);
			}
			else {
				logger.warn("Could not reset the session of {} after the scope ended; closing it instead: {}", this.owner,
						ex.toString());
			}
			return false;
		}
	}

	private void resetWhatTheHolderChanged(PhysicalConnection current, ConnectionHandle ending, boolean listening)
			throws SQLException {
		if (this.sessionReset == SessionReset.NONE) {
			if (ending.isBorrowed()) {
				// The DataSource view turned autocommit on; that is ours to undo.
				current.connection().setAutoCommit(this.autoCommit);
			}
			return;
		}
		ending.restoreSettings(this.autoCommit);
		if (this.sessionReset == SessionReset.DISCARD_ALL && ending.mayHaveChangedSession()) {
			if (listening) {
				// Keeps the managed connection's channels listened on, without a gap.
				current.discardAllButListens(this.notifications.listenAll());
				this.notifications.listened();
			}
			else {
				current.discardAll();
			}
			this.metricsTracker.sessionDiscarded();
		}
	}

}
