package dev.managedconnection;

/**
 * How many threads in a row took a {@link ConnectionLock} ahead of its waiters, against the
 * limit after which the longest waiter must be served. Only the lock's owner counts, or the
 * thread that hands the lock to a waiter does for it, so the count is exact; a thread that does
 * not hold the lock reads it only as a hint.
 */
final class BypassBudget {

	/**
	 * The limit of a lock that is not fair: never counted, never exhausted.
	 */
	static final int UNLIMITED = Integer.MAX_VALUE;

	private final int limit;

	private int taken;

	/**
	 * Create a budget.
	 * @param limit how many threads in a row may take the free lock ahead of the waiters: 0 for
	 * strict arrival order, {@link #UNLIMITED} for no order
	 */
	BypassBudget(int limit) {
		this.limit = limit;
	}

	/**
	 * Return whether a thread that finds the lock free may still take it ahead of the waiters.
	 * @return whether bypasses are left
	 */
	boolean left() {
		return this.taken < this.limit;
	}

	/**
	 * Count a bypass by the thread that just took the lock while threads waited. With a limit
	 * of 0 the waiters it sees queued after it looked, so there is nothing to count.
	 * @return whether it may keep the lock; if not, it must give it back to the longest waiter
	 */
	boolean take() {
		if (this.limit == 0 || this.limit == UNLIMITED) {
			return true;
		}
		if (this.taken < this.limit) {
			this.taken++;
			return true;
		}
		return false;
	}

	/**
	 * Start counting again: the longest waiter was served.
	 */
	void reset() {
		this.taken = 0;
	}

}
