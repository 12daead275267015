package dev.managedconnection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

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
 * Fair: releasing hands the lock straight to the longest waiter, so an arriving thread never
 * takes it first. Not fair: whoever comes takes a free lock, and releasing wakes the longest
 * waiter to try again.
 */
final class ConnectionLock {

	private static final int WAITING = 0;

	private static final int GRANTED = 1;

	private static final int TIMED_OUT = 2;

	/** About 146 years. */
	private static final long MAX_WAIT_NANOS = Long.MAX_VALUE / 2;

	private static final VarHandle OWNER;

	static {
		try {
			OWNER = MethodHandles.lookup().findVarHandle(ConnectionLock.class, "owner", Thread.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final boolean fair;

	private volatile @Nullable Thread owner;

	/**
	 * The queue's length, for the paths that do not take the guard.
	 */
	private volatile int waiting;

	private final ReentrantLock guard = new ReentrantLock();

	// Guarded by the guard.

	private final ArrayDeque<Waiter> queue = new ArrayDeque<>();

	private @Nullable ScheduledFuture<?> expiry;

	private long expiryAtNanos;

	private long expiryGeneration;

	ConnectionLock(boolean fair) {
		this.fair = fair;
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
		if ((!this.fair || this.waiting == 0) && OWNER.compareAndSet(this, null, current)) {
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

	boolean isHeldByCurrentThread() {
		return this.owner == Thread.currentThread();
	}

	int getQueueLength() {
		return this.waiting;
	}

	private boolean await(Waiter waiter) throws InterruptedException {
		Thread next = null;
		RuntimeException noExpiry = null;
		this.guard.lock();
		try {
			this.queue.addLast(waiter);
			this.waiting = this.queue.size();
			// Released since the fast path looked, by a thread that saw no waiter.
			next = nextToWake();
			if (waiter.state == WAITING) {
				try {
					expireNoLaterThan(waiter.deadlineNanos);
				}
				catch (RuntimeException ex) {
					// No expiry task: do not leave a waiter that nothing would end.
					this.queue.remove(waiter);
					this.waiting = this.queue.size();
					noExpiry = ex;
				}
			}
		}
		finally {
			this.guard.unlock();
		}
		wake(next);
		if (noExpiry != null) {
			throw noExpiry;
		}
		for (;;) {
			int state = waiter.state;
			if (state != WAITING) {
				return state == GRANTED;
			}
			if (!this.fair && OWNER.compareAndSet(this, null, waiter.thread)) {
				leave(waiter);
				return true;
			}
			LockSupport.park(this);
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
	 * Take a waiter that stops waiting out of the queue. Not fair, it may have been the one a
	 * release woke: the next waiter is woken in its place.
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
	 * If the lock is free and a thread waits: fair, give the lock to the longest waiter; not
	 * fair, pick that waiter to try. Guarded.
	 * @return the thread to wake once the guard is released, so that the woken thread, which
	 * may run at once on this CPU, does not find the guard taken; or {@code null}
	 */
	private @Nullable Thread nextToWake() {
		Waiter next = this.queue.peekFirst();
		if (next == null || this.owner != null) {
			return null;
		}
		if (this.fair) {
			if (!OWNER.compareAndSet(this, null, next.thread)) {
				return null;
			}
			this.queue.pollFirst();
			this.waiting = this.queue.size();
			next.state = GRANTED;
		}
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
		}
		// A task that already started cannot be cancelled: its generation tells it that it was replaced.
		long generation = ++this.expiryGeneration;
		this.expiryAtNanos = deadlineNanos;
		this.expiry = Scheduler.ACQUIRE_TIMEOUTS.schedule(() -> expireWaiters(generation),
				deadlineNanos - System.nanoTime());
	}

	/**
	 * The expiry task: wake the waiters whose deadline passed, then schedule itself for the
	 * earliest deadline left.
	 */
	private void expireWaiters(long generation) {
		List<Waiter> expired = new ArrayList<>();
		Thread next;
		this.guard.lock();
		try {
			boolean current = generation == this.expiryGeneration;
			if (current) {
				this.expiry = null;
			}
			long now = System.nanoTime();
			Waiter earliest = null;
			for (Iterator<Waiter> waiters = this.queue.iterator(); waiters.hasNext();) {
				Waiter waiter = waiters.next();
				if (waiter.deadlineNanos - now <= 0) {
					waiters.remove();
					expired.add(waiter);
				}
				else if (earliest == null || waiter.deadlineNanos - earliest.deadlineNanos < 0) {
					earliest = waiter;
				}
			}
			this.waiting = this.queue.size();
			// Only now: a waiter that sees its state must find itself out of the count.
			for (Waiter waiter : expired) {
				waiter.state = TIMED_OUT;
			}
			// Not fair, an expired waiter may have been the one a release woke.
			next = nextToWake();
			if (current && earliest != null) {
				expireNoLaterThan(earliest.deadlineNanos);
			}
		}
		finally {
			this.guard.unlock();
		}
		for (Waiter waiter : expired) {
			LockSupport.unpark(waiter.thread);
		}
		wake(next);
	}

	private static final class Waiter {

		final Thread thread;

		final long deadlineNanos;

		volatile int state = WAITING;

		Waiter(Thread thread, long deadlineNanos) {
			this.thread = thread;
			this.deadlineNanos = deadlineNanos;
		}

	}

}
