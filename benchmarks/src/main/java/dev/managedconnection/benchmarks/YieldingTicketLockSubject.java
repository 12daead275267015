package dev.managedconnection.benchmarks;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code LOCK-TICKET-YIELD}, a diagnostic: {@code RAW}'s connection behind a FIFO ticket lock
 * whose waiters call {@link Thread#yield()} instead of parking. It asks whether a hand-off
 * without park and unpark (no futex calls, the next holder is already runnable) beats a fair
 * lock on one CPU, where every waiter that runs takes CPU from the server.
 */
final class YieldingTicketLockSubject implements Subject {

	private final AtomicLong nextTicket = new AtomicLong();

	private volatile long serving;

	private final RawSubject raw;

	YieldingTicketLockSubject(Database database, Workload workload) throws SQLException {
		this.raw = new RawSubject(database, workload);
	}

	@Override
	public void perform() throws SQLException {
		long ticket = this.nextTicket.getAndIncrement();
		while (this.serving != ticket) {
			Thread.yield();
		}
		try {
			this.raw.perform();
		}
		finally {
			this.serving = ticket + 1;
		}
	}

	@Override
	public String applicationName() {
		return this.raw.applicationName();
	}

	@Override
	public void close() throws SQLException {
		this.raw.close();
	}

}
