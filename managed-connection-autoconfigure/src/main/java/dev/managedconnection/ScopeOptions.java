package dev.managedconnection;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How one exclusive scope on a {@link ManagedConnection} behaves. Only the outermost scope's
 * options apply: a nested scope joins the outer one.
 *
 * @param acquireTimeout how long to wait for the connection, or {@code null} for the configured default
 * @param commit whether to commit a transaction left open on a normal return (psycopg2's
 * {@code with connection:}) instead of rolling it back and failing
 * @param close whether to close the physical connection when the scope ends
 * @since 0.1.0
 */
public record ScopeOptions(@Nullable Duration acquireTimeout, boolean commit, boolean close) {

	/**
	 * The defaults: configured acquire timeout, no commit, keep the connection open.
	 */
	public static final ScopeOptions DEFAULT = new ScopeOptions(null, false, false);

	public ScopeOptions {
		if (acquireTimeout != null && (acquireTimeout.isNegative() || acquireTimeout.isZero())) {
			throw new IllegalArgumentException("'acquireTimeout' must be positive but was " + acquireTimeout);
		}
	}

	/**
	 * Return a copy with the given commit option.
	 * @param commit whether to commit on a normal return
	 * @return the new options
	 */
	public ScopeOptions withCommit(boolean commit) {
		return new ScopeOptions(this.acquireTimeout, commit, this.close);
	}

	/**
	 * Return a copy with the given close option.
	 * @param close whether to close the physical connection at the end of the scope
	 * @return the new options
	 */
	public ScopeOptions withClose(boolean close) {
		return new ScopeOptions(this.acquireTimeout, this.commit, close);
	}

	/**
	 * Return a copy with the given acquire timeout.
	 * @param acquireTimeout the timeout, or {@code null} for the configured default
	 * @return the new options
	 */
	public ScopeOptions withAcquireTimeout(@Nullable Duration acquireTimeout) {
		return new ScopeOptions(acquireTimeout, this.commit, this.close);
	}

}
