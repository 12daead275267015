package dev.managedconnection.benchmarks;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The configurations the {@link ThroughputBenchmark} compares, all on the same PostgreSQL.
 */
enum Candidate {

	/**
	 * One connection used by one thread in a loop: the physical limit.
	 */
	RAW("RAW") {
		@Override
		Subject open(Database database, Workload workload, int threads) throws Exception {
			if (threads != 1) {
				throw new IllegalArgumentException("RAW runs on one thread, not " + threads);
			}
			return new RawSubject(database, workload);
		}
	},

	/**
	 * {@code ManagedConnection.execute} with the default settings.
	 */
	MANAGED("MANAGED") {
		@Override
		Subject open(Database database, Workload workload, int threads) throws Exception {
			return new ManagedSubject(database, workload, UnaryOperator.identity());
		}
	},

	/**
	 * Run by the web mode: {@code MANAGED} strictly first in, first out ({@code bypassLimit(0)}),
	 * the default until 2026-12-06.
	 */
	MANAGED_FIFO("MANAGED-FIFO", false) {
		@Override
		Subject open(Database database, Workload workload, int threads) throws Exception {
			return new ManagedSubject(database, workload, (builder) -> builder.bypassLimit(0));
		}
	},

	/**
	 * Run by the web mode: {@code MANAGED} letting up to 8 threads in a row take a free
	 * connection ahead of the waiters ({@code bypassLimit(8)}, the default), named so that the
	 * web mode's table says which order it measured.
	 */
	MANAGED_BYPASS_8("MANAGED-BYPASS-8", false) {
		@Override
		Subject open(Database database, Workload workload, int threads) throws Exception {
			return new ManagedSubject(database, workload, (builder) -> builder.bypassLimit(8));
		}
	},

	/**
	 * Run by the web mode: {@code MANAGED} with a tighter bound ({@code bypassLimit(2)}).
	 */
	MANAGED_BYPASS_2("MANAGED-BYPASS-2", false) {
		@Override
		Subject open(Database database, Workload workload, int threads) throws Exception {
			return new ManagedSubject(database, workload, (builder) -> builder.bypassLimit(2));
		}
	},

	/**
	 * Run by the web mode: {@code MANAGED} not fair ({@code fair(false)}): whoever comes takes a
	 * free connection, and a release wakes the longest waiter to try again.
	 */
	MANAGED_UNFAIR("MANAGED-UNFAIR", false) {
		@Override
		Subject open(Database database, Workload workload, int threads) throws Exception {
			return new ManagedSubject(database, workload, (builder) -> builder.fair(false));
		}
	},

	/**
	 * A Spring bean method annotated with {@code @ExclusiveConnection}.
	 */
	ANNOTATED("ANNOTATED") {
		@Override
		Subject open(Database database, Workload workload, int threads) throws Exception {
			return new AnnotatedSubject(database, workload);
		}
	},

	/**
	 * HikariCP with {@code maximumPoolSize=1}: what a Java user picks today to share one connection.
	 */
	HIKARI_1("HIKARI-1") {
		@Override
		Subject open(Database database, Workload workload, int threads) throws Exception {
			return new HikariSubject(database, workload, 1);
		}
	},

	/**
	 * HikariCP with a pool of {@code min(threads, 10)}: the bigger-budget alternative.
	 */
	HIKARI_N("HIKARI-N") {
		@Override
		Subject open(Database database, Workload workload, int threads) throws Exception {
			return new HikariSubject(database, workload, Math.min(threads, 10));
		}
	},

	/**
	 * Spring's {@code SingleConnectionDataSource} guarded by a {@code ReentrantLock}.
	 */
	SCDS_LOCK("SCDS-LOCK") {
		@Override
		Subject open(Database database, Workload workload, int threads) throws Exception {
			return new SingleConnectionLockSubject(database, workload);
		}
	},

	/**
	 * A plain fair {@code ReentrantLock} around one raw connection.
	 */
	LOCK_FAIR("LOCK-FAIR") {
		@Override
		Subject open(Database database, Workload workload, int threads) throws Exception {
			return new FairLockSubject(database, workload, false);
		}
	},

	/**
	 * A diagnostic, not run by default: {@code LOCK-FAIR} waiting with a deadline as the managed
	 * connection does ({@code tryLock(timeout)}) instead of {@code lock()}.
	 */
	LOCK_FAIR_TIMED("LOCK-FAIR-TIMED", false) {
		@Override
		Subject open(Database database, Workload workload, int threads) throws Exception {
			return new FairLockSubject(database, workload, true);
		}
	},

	/**
	 * A diagnostic, not run by default: a FIFO ticket lock whose waiters yield instead of
	 * parking, a hand-off without park and unpark.
	 */
	LOCK_TICKET_YIELD("LOCK-TICKET-YIELD", false) {
		@Override
		Subject open(Database database, Workload workload, int threads) throws Exception {
			return new YieldingTicketLockSubject(database, workload);
		}
	};

	private final String label;

	private final boolean byDefault;

	Candidate(String label) {
		this(label, true);
	}

	Candidate(String label, boolean byDefault) {
		this.label = label;
		this.byDefault = byDefault;
	}

	String label() {
		return this.label;
	}

	/**
	 * Return whether the harness runs this configuration when none are named.
	 * @return whether it is in the default set
	 */
	boolean byDefault() {
		return this.byDefault;
	}

	/**
	 * Open this configuration, connected and ready for the given number of threads.
	 * @param database the server
	 * @param workload the workload it will run
	 * @param threads how many threads will use it
	 * @return the subject, which the caller must close
	 * @throws Exception if it cannot be opened
	 */
	abstract Subject open(Database database, Workload workload, int threads) throws Exception;

	static Candidate of(String label) {
		String normalized = label.trim().toUpperCase(Locale.ROOT);
		for (Candidate candidate : values()) {
			if (candidate.label.equals(normalized) || candidate.name().equals(normalized)) {
				return candidate;
			}
		}
		throw new IllegalArgumentException("Unknown configuration '" + label + "'");
	}

}
