package dev.managedconnection;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches how long each scope of a {@link ManagedConnection} holds it: past the leak-detection
 * threshold it warns, naming the holder thread and where it acquired the connection; past the
 * max hold it cancels the statement the holder is running. When both are off the
 * {@link #NONE} monitor costs the hot path nothing.
 */
abstract class HoldMonitor {

	private static final Logger logger = LoggerFactory.getLogger(ManagedConnection.class);

	/**
	 * A monitor that watches nothing.
	 */
	static final HoldMonitor NONE = new HoldMonitor() {

		@Override
		Hold start(Thread holder, long acquiredAtNanos, PhysicalConnection physical) {
			return Hold.NONE;
		}

	};

	/**
	 * Return a monitor for the given settings.
	 * @param connection the managed connection, named in log messages
	 * @param leakDetectionThreshold when to warn, or {@code null} or zero for never
	 * @param maxHold when to cancel the running statement, or {@code null} or zero for never
	 * @return the monitor, {@link #NONE} when both are off
	 */
	static HoldMonitor of(Object connection, @Nullable Duration leakDetectionThreshold, @Nullable Duration maxHold) {
		long leakNanos = (leakDetectionThreshold != null) ? leakDetectionThreshold.toNanos() : 0;
		long maxHoldNanos = (maxHold != null) ? maxHold.toNanos() : 0;
		if (leakNanos <= 0 && maxHoldNanos <= 0) {
			return NONE;
		}
		return new Scheduling(connection, leakNanos, maxHoldNanos);
	}

	/**
	 * Begin watching a scope that has just acquired the connection.
	 * @param holder the thread that acquired it
	 * @param acquiredAtNanos when, as {@link System#nanoTime()}
	 * @param physical the connection it holds, for cancelling its statement
	 * @return the hold, to {@link Hold#end() end} when the scope ends
	 */
	abstract Hold start(Thread holder, long acquiredAtNanos, PhysicalConnection physical);

	/**
	 * One scope being watched.
	 */
	static class Hold {

		/**
		 * A hold that watches nothing.
		 */
		static final Hold NONE = new Hold();

		/**
		 * Stop watching: the scope is ending. After this returns the statement of the scope
		 * is no longer cancelled.
		 */
		void end() {
		}

		/**
		 * Return where the given thread acquired the connection, when leak detection is on
		 * and this is its hold.
		 * @param holder the thread believed to hold the connection
		 * @return a throwable whose stack trace is the acquisition site, or {@code null}
		 */
		@Nullable AcquisitionSite acquisitionSite(Thread holder) {
			return null;
		}

	}

	/**
	 * Watches scopes with tasks on the shared scheduler, cancelled when the scope ends.
	 */
	private static final class Scheduling extends HoldMonitor {

		private final Object connection;

		private final long leakNanos;

		private final long maxHoldNanos;

		Scheduling(Object connection, long leakNanos, long maxHoldNanos) {
			this.connection = connection;
			this.leakNanos = leakNanos;
			this.maxHoldNanos = maxHoldNanos;
		}

		@Override
		Hold start(Thread holder, long acquiredAtNanos, PhysicalConnection physical) {
			AcquisitionSite site = (this.leakNanos > 0) ? new AcquisitionSite(holder) : null;
			WatchedHold hold = new WatchedHold(this.connection, holder, acquiredAtNanos, physical, site);
			// Opening the connection counts as holding it.
			long heldNanos = System.nanoTime() - acquiredAtNanos;
			if (this.leakNanos > 0) {
				hold.leakTask = Scheduler.HOLDS.schedule(() -> hold.reportLeak(this.leakNanos), this.leakNanos - heldNanos);
			}
			if (this.maxHoldNanos > 0) {
				hold.maxHoldTask = Scheduler.HOLDS.schedule(() -> hold.cancelStatement(this.maxHoldNanos),
						this.maxHoldNanos - heldNanos);
			}
			return hold;
		}

	}

	/**
	 * A watched scope. Its phase moves once from {@code ACTIVE} to {@code ENDED}, perhaps by
	 * way of {@code REPORTED}; the cancel lock keeps a cancel from reaching the next holder.
	 */
	private static final class WatchedHold extends Hold {

		private static final int ACTIVE = 0;

		private static final int REPORTED = 1;

		private static final int ENDED = 2;

		private final Object connection;

		private final Thread holder;

		private final long acquiredAtNanos;

		private final PhysicalConnection physical;

		private final @Nullable AcquisitionSite site;

		private final AtomicInteger phase = new AtomicInteger(ACTIVE);

		private final ReentrantLock cancelLock = new ReentrantLock();

		private volatile @Nullable ScheduledFuture<?> leakTask;

		private volatile @Nullable ScheduledFuture<?> maxHoldTask;

		WatchedHold(Object connection, Thread holder, long acquiredAtNanos, PhysicalConnection physical,
				@Nullable AcquisitionSite site) {
			this.connection = connection;
			this.holder = holder;
			this.acquiredAtNanos = acquiredAtNanos;
			this.physical = physical;
			this.site = site;
		}

		@Override
		void end() {
			int previous;
			this.cancelLock.lock();
			try {
				previous = this.phase.getAndSet(ENDED);
			}
			finally {
				this.cancelLock.unlock();
			}
			cancel(this.leakTask);
			cancel(this.maxHoldTask);
			if (previous == REPORTED) {
				logger.info("Thread '{}' released {} after {} ms; it was reported as a possible leak",
						this.holder.getName(), this.connection, heldMillis());
			}
		}

		@Override
		@Nullable AcquisitionSite acquisitionSite(Thread holder) {
			return (holder == this.holder) ? this.site : null;
		}

		void reportLeak(long thresholdNanos) {
			if (this.phase.compareAndSet(ACTIVE, REPORTED)) {
				logger.warn("Possible leak: thread '{}' has held {} for {} ms, longer than the leak-detection "
						+ "threshold of {} ms; it acquired the connection here:", this.holder.getName(), this.connection,
						heldMillis(), TimeUnit.NANOSECONDS.toMillis(thresholdNanos), this.site);
			}
		}

		void cancelStatement(long maxHoldNanos) {
			this.cancelLock.lock();
			try {
				if (this.phase.get() == ENDED || this.physical.isClosed()) {
					return;
				}
				logger.warn("Thread '{}' has held {} for {} ms, longer than the max hold of {} ms: cancelling its "
						+ "running statement", this.holder.getName(), this.connection, heldMillis(),
						TimeUnit.NANOSECONDS.toMillis(maxHoldNanos));
				this.physical.cancel();
			}
			catch (SQLException | RuntimeException ex) {
				logger.warn("Could not cancel the statement of thread '{}' on {}", this.holder.getName(),
						this.connection, ex);
			}
			finally {
				this.cancelLock.unlock();
			}
		}

		private long heldMillis() {
			return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.acquiredAtNanos);
		}

		private static void cancel(@Nullable ScheduledFuture<?> task) {
			if (task != null) {
				task.cancel(false);
			}
		}

	}

	/**
	 * The stack trace of the call that acquired the connection.
	 */
	static final class AcquisitionSite extends Throwable {

		private static final long serialVersionUID = 1L;

		private static final List<String> INTERNAL_CLASSES = List.of(HoldMonitor.class.getName(),
				ManagedConnection.class.getName(), ScopeLifecycle.class.getName(), ManagedDataSource.class.getName());

		private static final List<String> FRAMEWORK_PACKAGES = List.of("java.", "javax.", "jdk.", "sun.",
				"org.springframework.", "dev.managedconnection.annotation.");

		AcquisitionSite(Thread holder) {
			super("Thread '" + holder.getName() + "' acquired the connection here");
			StackTraceElement[] stack = getStackTrace();
			int first = 0;
			while (first < stack.length - 1 && isInternal(stack[first].getClassName())) {
				first++;
			}
			setStackTrace(Arrays.copyOfRange(stack, first, stack.length));
		}

		/**
		 * Return the first frame of application code: not ours, not the JDK's and not
		 * Spring's, which only pass the call along.
		 * @return the frame, or the innermost one when all belong to frameworks
		 */
		@Nullable StackTraceElement caller() {
			StackTraceElement[] stack = getStackTrace();
			for (StackTraceElement frame : stack) {
				String className = frame.getClassName();
				if (FRAMEWORK_PACKAGES.stream().noneMatch(className::startsWith) && !className.contains("$$")) {
					return frame;
				}
			}
			return (stack.length > 0) ? stack[0] : null;
		}

		private static boolean isInternal(String className) {
			for (String internal : INTERNAL_CLASSES) {
				if (className.equals(internal) || className.startsWith(internal + "$")) {
					return true;
				}
			}
			return false;
		}

	}

}
