package dev.managedconnection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.jspecify.annotations.Nullable;

/**
 * The scope of the thread that holds a {@link ManagedConnection}: one object per managed
 * connection, reused by every holder, so that acquiring and releasing allocate nothing. Written
 * only by the holder (or by whoever took the connection back from a dead one); the fields other
 * threads read are volatile. Each volatile write costs a fence, the bulk of an uncontended
 * acquire and release, so the hot path writes only what changed, and with release stores where
 * a later volatile write publishes them anyway.
 */
final class Scope {

	private static final VarHandle HOLDER = FieldHandles.of(MethodHandles.lookup(), "holder", Thread.class);

	private static final VarHandle ACQUIRED_AT_NANOS = FieldHandles.of(MethodHandles.lookup(), "acquiredAtNanos",
			long.class);

	private final ServerNotices serverNotices;

	private volatile @Nullable Thread holder;

	private volatile long acquiredAtNanos;

	private volatile HoldMonitor.Hold hold = HoldMonitor.Hold.NONE;

	private int depth;

	private ScopeOptions options = ScopeOptions.DEFAULT;

	private @Nullable PhysicalConnection physical;

	private @Nullable ConnectionHandle handle;

	private long number;

	/**
	 * Create the scope of a managed connection.
	 * @param serverNotices what logs the server's notices
	 */
	Scope(ServerNotices serverNotices) {
		this.serverNotices = serverNotices;
	}

	/**
	 * Begin the scope of a thread that has just taken the lock, before its connection is ready.
	 * @param holder the thread
	 * @param acquiredAtNanos when it took the lock
	 * @param options the options of its outermost scope
	 * @return the scope's number, unique for this managed connection
	 */
	long begin(Thread holder, long acquiredAtNanos, ScopeOptions options) {
		// Release stores: only other threads' reports read these (the holder first), and the
		// lock, not this field, decides who holds the connection. The lock's own atomic
		// operations fence the way in and out.
		ACQUIRED_AT_NANOS.setRelease(this, acquiredAtNanos);
		HOLDER.setRelease(this, holder);
		this.options = options;
		this.depth = 1;
		return ++this.number;
	}

	/**
	 * Give the scope its connection, once ready.
	 * @param physical the physical connection
	 * @param handle the handle, for a scope borrowed from the DataSource view, or {@code null} to
	 * create it on first request
	 * @param hold the hold monitor's watch of the scope
	 */
	void attach(PhysicalConnection physical, @Nullable ConnectionHandle handle, HoldMonitor.Hold hold) {
		this.physical = physical;
		this.handle = handle;
		if (hold != HoldMonitor.Hold.NONE) {
			this.hold = hold;
		}
	}

	/**
	 * Forget the scope. Only field writes: it runs on the way to the unlock.
	 */
	void clear() {
		this.handle = null;
		this.physical = null;
		this.depth = 0;
		this.options = ScopeOptions.DEFAULT;
		if (this.hold != HoldMonitor.Hold.NONE) {
			// Ended already on the usual path.
			this.hold = HoldMonitor.Hold.NONE;
		}
		HOLDER.setRelease(this, null);
	}

	/**
	 * Stop watching the scope, so that a max-hold cancel cannot hit what follows.
	 */
	void endHold() {
		HoldMonitor.Hold ending = this.hold;
		if (ending != HoldMonitor.Hold.NONE) {
			this.hold = HoldMonitor.Hold.NONE;
			ending.end();
		}
	}

	@Nullable Thread holder() {
		return this.holder;
	}

	long acquiredAtNanos() {
		return this.acquiredAtNanos;
	}

	HoldMonitor.Hold hold() {
		return this.hold;
	}

	ScopeOptions options() {
		return this.options;
	}

	PhysicalConnection physical() {
		PhysicalConnection current = this.physical;
		if (current == null) {
			throw new IllegalStateException("The scope has no connection yet");
		}
		return current;
	}

	@Nullable ConnectionHandle handle() {
		return this.handle;
	}

	/**
	 * Return the scope's handle, created on first request: a scope whose holder never asks for
	 * the connection allocates nothing.
	 * @param owner the managed connection
	 * @return the handle
	 */
	ConnectionHandle handle(ManagedConnection owner) {
		ConnectionHandle current = this.handle;
		if (current == null) {
			current = new ConnectionHandle(owner, physical(), false, TransactionCharacteristics.of(this.options),
					this.serverNotices.ifEnabled());
			this.handle = current;
		}
		return current;
	}

	int depth() {
		return this.depth;
	}

	void enterNested() {
		this.depth++;
	}

	void leaveNested() {
		this.depth--;
	}

	/**
	 * Forget nested scopes left open, as when their callers failed to end them.
	 */
	void resetDepth() {
		this.depth = 1;
	}

}
