package dev.managedconnection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock that lets one thread at a time hold the connection. Not reentrant: the managed
 * connection counts nested scopes itself.
 * <p>
 * Waiting threads park without a timeout, and one task on a shared {@link Scheduler} wakes
 * the waiters whose deadline passed. A virtual thread that parks with a timeout schedules, and on
 * wake-up cancels, a task on the JDK's timer threads; at every hand-off of a busy connection that
 * woke a platform thread, and with 1,000 virtual threads it cost a fifth of the throughput (see
 * docs/benchmarks.md). Here the expiry task is scheduled again only when a new deadline comes
 * before the one it is scheduled for, or when it ran: with one acquire timeout and FIFO order,
 * about once per timeout while the connection is contended.
 * <p>
 * The expiry task is trusted, not depended on: a waiter checks its own deadline whenever it
 * wakes, and when the task cannot be scheduled, throws, or has not run a second after its time
 * (as the next arriving waiter notices), every waiter parks with its own deadline instead, so no
 * wait outlasts its timeout by more than the scheduling delay.
 * <p>
 * An owner whose thread ends without unlocking would keep the lock for good: a thread that
 * arrives to wait, and while threads wait the expiry task once a second, take the lock back from
 * a dead owner and hand it to an {@link OwnerLost} handler.
 * <p>
 * Order: a thread that finds the lock free may take it ahead of the waiters at most
 * {@code bypassLimit} times in a row; then releasing hands the lock straight to the longest
 * waiter. While bypassing is allowed, releasing leaves the lock free and wakes the longest waiter
 * to try for it: a running thread that asks again takes it at once instead of parking behind a
 * waiter that first has to be scheduled (a web application's threads release and ask again
 * within microseconds). A limit of 0 is strictly first-in, first-out;
 * {@link BypassBudget#UNLIMITED}, not fair at all.
 */
final class ConnectionLock {

	private static final int WAITING = 0;

	private static final int GRANTED = 1;

	private static final int TIMED_OUT = 2;

	/**
	 * How late the expiry task may be before a thread that takes the guard concludes that it
	 * will not run at all.
	 */
	private static final long LATE_EXPIRY_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final Logger logger = LoggerFactory.getLogger(ManagedConnection.class);

	/**
	 * How often, while threads wait, the expiry task checks that the owner's thread still lives.
	 */
	private static final long OWNER_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

	/** About 146 years. */
	private static final long MAX_WAIT_NANOS = Long.MAX_VALUE / 2;

	private static final VarHandle OWNER = FieldHandles.of(MethodHandles.lookup(), "owner", Thread.class);

	private final BypassBudget bypasses;

	private volatile @Nullable Thread owner;

	/**
	 * The queue's length, for the paths that do not take the guard.
	 */
	private volatile int waiting;

	private final Scheduler scheduler;

	private final OwnerLost ownerLost;

	private final ReentrantLock guard = new ReentrantLock();

	// Guarded by the guard.

	private final ArrayDeque<Waiter> queue = new ArrayDeque<>();

	private @Nullable ScheduledFuture<?> expiry;

	private long expiryAtNanos;

	private long expiryGeneration;

	/**
	 * Whether the expiry task failed or missed its time and has not run since: waiters park
	 * with their own deadlines meanwhile.
	 */
	private boolean expiryFailing;

	ConnectionLock(boolean fair) {
		this(fair, Scheduler.ACQUIRE_TIMEOUTS);
	}

	ConnectionLock(boolean fair, Scheduler scheduler) {
		this(fair ? 0 : BypassBudget.UNLIMITED, scheduler, OwnerLost.UNLOCK);
	}

	/**
	 * Create a lock whose waits end on the given scheduler.
	 * @param bypassLimit how many threads in a row may take the free lock ahead of the waiters:
	 * 0 for strict arrival order, {@link BypassBudget#UNLIMITED} for none
	 * @param scheduler where the expiry task runs
	 * @param ownerLost what to do when the owner's thread ended without unlocking
	 */
	ConnectionLock(int bypassLimit, Scheduler scheduler, OwnerLost ownerLost) {
		this.bypasses = new BypassBudget(bypassLimit);
		this.scheduler = scheduler;
		this.ownerLost = ownerLost;
	}

	/**
	 * Take the lock, waiting up to the timeout; with a zero timeout neither the clock is read nor
	 * anything allocated.
	 * @param timeoutNanos how long to wait
	 * @return whether the calling thread holds the lock
	 * @throws InterruptedException if the thread was interrupted before or while waiting
	 */
	boolean tryLock(long timeoutNanos) throws InterruptedException {
		if (Thread.interrupted()) {
			throw new InterruptedException();
		}
		Thread current = Thread.currentThread();
		if ((this.waiting == 0 || this.bypasses.left()) && OWNER.compareAndSet(this, null, current) && mayKeep()) {
			return true;
		}
		if (timeoutNanos <= 0) {
			return false;
		}
		// Deadlines are compared by subtraction: a timeout of centuries must not wrap into the past.
		long deadlineNanos = System.nanoTime() + Math.min(timeoutNanos, MAX_WAIT_NANOS);
		return await(new Waiter(current, deadlineNanos));
	}

	/**
	 * Take the lock if it is free, even ahead of waiters, whatever the interrupt flag says.
	 * @return whether the calling thread holds the lock
	 */
	boolean tryLock() {
		return OWNER.compareAndSet(this, null, Thread.currentThread());
	}

	void unlock() {
		this.owner = null;
		// A waiter that queued after this read found the lock free itself (see await).
		if (this.waiting != 0) {
			Thread next;
			this.guard.lock();
			try {
				next = nextToWake();
			}
			finally {
				this.guard.unlock();
			}
			wake(next);
		}
	}

	/**
	 * Decide whether a thread that just took the lock on arrival keeps it: a bypass past the
	 * limit gives it back, to the longest waiter.
	 */
	private boolean mayKeep() {
		if (this.waiting == 0 || this.bypasses.take()) {
			return true;
		}
		unlock();
		return false;
	}

	boolean isHeldByCurrentThread() {
		return this.owner == Thread.currentThread();
	}

	int getQueueLength() {
		return this.waiting;
	}

	private boolean await(Waiter waiter) throws InterruptedException {
		reclaimFromDeadOwner();
		Thread next;
		this.guard.lock();
		try {
			this.queue.addLast(waiter);
			this.waiting = this.queue.size();
			// Released since the fast path looked, by a thread that saw no waiter.
			next = nextToWake();
			if (waiter.state == WAITING) {
				scheduleExpiry(waiter);
			}
		}
		finally {
			this.guard.unlock();
		}
		wake(next);
		for (;;) {
			int state = waiter.state;
			if (state != WAITING) {
				return state == GRANTED;
			}
			if (waiter.invited && OWNER.compareAndSet(this, null, waiter.thread)) {
				this.bypasses.reset();
				leave(waiter);
				return true;
			}
			// Whoever was to end this wait, the deadline is the waiter's own to keep.
			long leftNanos = waiter.deadlineNanos - System.nanoTime();
			if (leftNanos <= 0) {
				if (leave(waiter)) {
					return false;
				}
				continue;
			}
			if (waiter.timed) {
				LockSupport.parkNanos(this, leftNanos);
			}
			else {
				LockSupport.park(this);
			}
			if (Thread.interrupted()) {
				if (leave(waiter)) {
					throw new InterruptedException();
				}
				// Granted or timed out first: that outcome stands, and the caller sees the flag.
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Make sure something ends the new waiter's wait at its deadline: the expiry task, or, when
	 * the task cannot be scheduled or missed its time, the waiters' own timed parks. Guarded.
	 */
	private void scheduleExpiry(Waiter waiter) {
		waiter.timed = this.expiryFailing;
		if (this.expiry != null && System.nanoTime() - this.expiryAtNanos > LATE_EXPIRY_NANOS) {
			// The task never ran: its thread is gone or stuck.
			parkWithTimeouts(null);
		}
		try {
			expireNoLaterThan(nextCheck(waiter.deadlineNanos, System.nanoTime()));
		}
		catch (RuntimeException | Error ex) {
			parkWithTimeouts(ex);
		}
	}

	/**
	 * Return when the expiry task must run next for a deadline: at it, or sooner to see
	 * whether the owner's thread still lives.
	 */
	private static long nextCheck(long deadlineNanos, long now) {
		long ownerCheck = now + OWNER_CHECK_NANOS;
		return (deadlineNanos - ownerCheck < 0) ? deadlineNanos : ownerCheck;
	}

	/**
	 * Take the lock from an owner whose thread ended without unlocking, and hand it to the
	 * {@link OwnerLost} handler, which unlocks it. Without this the waiters would wait for a
	 * release that can never come.
	 */
	private void reclaimFromDeadOwner() {
		Thread current = this.owner;
		if (current != null && !current.isAlive() && OWNER.compareAndSet(this, current, Thread.currentThread())) {
			try {
				this.ownerLost.reclaim(current);
			}
			finally {
				if (isHeldByCurrentThread()) {
					unlock();
				}
			}
		}
	}

	/**
	 * Take a waiter that stops waiting out of the queue. It may have been the one a release
	 * invited to try: the next waiter is woken in its place.
	 * @return whether it was still waiting, rather than granted the lock or timed out
	 */
	private boolean leave(Waiter waiter) {
		Thread next;
		this.guard.lock();
		try {
			if (waiter.state != WAITING) {
				return false;
			}
			this.queue.remove(waiter);
			this.waiting = this.queue.size();
			next = nextToWake();
		}
		finally {
			this.guard.unlock();
		}
		wake(next);
		return true;
	}

	/**
	 * If the lock is free and a thread waits: while arriving threads may still bypass, invite
	 * the longest waiter to try for it; else give it the lock. Guarded.
	 * @return the thread to wake once the guard is released, so that the woken thread, which
	 * may run at once on this CPU, does not find the guard taken; or {@code null}
	 */
	private @Nullable Thread nextToWake() {
		Waiter next = this.queue.peekFirst();
		if (next == null || this.owner != null) {
			return null;
		}
		if (this.bypasses.left()) {
			next.invited = true;
			return next.thread;
		}
		if (!OWNER.compareAndSet(this, null, next.thread)) {
			return null;
		}
		this.bypasses.reset();
		this.queue.pollFirst();
		this.waiting = this.queue.size();
		next.state = GRANTED;
		return next.thread;
	}

	private static void wake(@Nullable Thread thread) {
		if (thread != null) {
			LockSupport.unpark(thread);
		}
	}

	/**
	 * Make sure the expiry task runs by the given deadline. Guarded.
	 */
	private void expireNoLaterThan(long deadlineNanos) {
		ScheduledFuture<?> scheduled = this.expiry;
		if (scheduled != null) {
			if (deadlineNanos - this.expiryAtNanos >= 0) {
				return;
			}
			scheduled.cancel(false);
			this.expiry = null;
		}
		// A task that already started cannot be cancelled: its generation tells it that it was replaced.
		long generation = ++this.expiryGeneration;
		this.expiry = this.scheduler.schedule(() -> expireWaiters(generation), deadlineNanos - System.nanoTime());
		this.expiryAtNanos = deadlineNanos;
	}

	/**
	 * Stop relying on the expiry task: every waiter parks with its own deadline from now on,
	 * and wakes to do so. Guarded.
	 * @param failure why, or {@code null} when the task missed its time
	 */
	private void parkWithTimeouts(@Nullable Throwable failure) {
		ScheduledFuture<?> scheduled = this.expiry;
		this.expiry = null;
		if (scheduled != null) {
			scheduled.cancel(false);
		}
		this.expiryGeneration++;
		for (Waiter waiter : this.queue) {
			waiter.timed = true;
			LockSupport.unpark(waiter.thread);
		}
		if (!this.expiryFailing) {
			this.expiryFailing = true;
			logger.warn("The task that ends waits for a managed connection at their acquire timeout "
					+ ((failure != null) ? "failed" : "did not run on time")
					+ "; waiting threads keep their own deadlines until it runs again", failure);
		}
	}

	/**
	 * The expiry task: end the waits whose deadline passed, then schedule itself for the
	 * earliest deadline left. Whatever fails here, no waiter is left that nothing would end.
	 */
	private void expireWaiters(long generation) {
		Thread next = null;
		this.guard.lock();
		try {
			next = expireWaitersGuarded(generation);
		}
		catch (RuntimeException | Error ex) {
			parkWithTimeouts(ex);
		}
		finally {
			this.guard.unlock();
		}
		wake(next);
		if (this.waiting != 0) {
			reclaimFromDeadOwner();
		}
	}

	private @Nullable Thread expireWaitersGuarded(long generation) {
		// It ran: waiters that arrive from now on may rely on it again.
		this.expiryFailing = false;
		boolean current = generation == this.expiryGeneration;
		if (current) {
			this.expiry = null;
		}
		long now = System.nanoTime();
		int expired = 0;
		Waiter earliest = null;
		for (Waiter waiter : this.queue) {
			if (waiter.deadlineNanos - now <= 0) {
				expired++;
			}
			else if (earliest == null || waiter.deadlineNanos - earliest.deadlineNanos < 0) {
				earliest = waiter;
			}
		}
		if (expired > 0) {
			// Counted out first: a waiter that sees its state must find itself out of the count.
			this.waiting = this.queue.size() - expired;
			for (Iterator<Waiter> waiters = this.queue.iterator(); waiters.hasNext();) {
				Waiter waiter = waiters.next();
				if (waiter.deadlineNanos - now <= 0) {
					waiters.remove();
					waiter.state = TIMED_OUT;
					LockSupport.unpark(waiter.thread);
				}
			}
		}
		if (current && earliest != null) {
			expireNoLaterThan(nextCheck(earliest.deadlineNanos, now));
		}
		// An expired waiter may have been the one a release invited.
		return nextToWake();
	}

	private static final class Waiter {

		final Thread thread;

		final long deadlineNanos;

		volatile int state = WAITING;

		/**
		 * Whether the waiter parks until its deadline rather than for the expiry task: set when
		 * that task cannot be relied on.
		 */
		volatile boolean timed;

		/**
		 * Whether a release woke the waiter to try for the free lock rather than handing it over.
		 */
		volatile boolean invited;

		Waiter(Thread thread, long deadlineNanos) {
			this.thread = thread;
			this.deadlineNanos = deadlineNanos;
		}

	}

	/**
	 * Takes back what the owner of the lock held when its thread ended without unlocking.
	 */
	@FunctionalInterface
	interface OwnerLost {

		/**
		 * Only unlock.
		 */
		OwnerLost UNLOCK = (owner) -> {
		};

		/**
		 * Clean up after the dead owner; called with the lock held by the calling thread, which
		 * unlocks it afterwards if this did not.
		 * @param owner the thread that ended holding the lock
		 */
		void reclaim(Thread owner);

	}

}
