package dev.managedconnection.benchmarks;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code LOCK-FAIR}: a plain fair {@link ReentrantLock} around one raw connection. It is what the
 * managed connection would cost if its own checks cost nothing. With a timeout it is
 * {@code LOCK-FAIR-TIMED}, a diagnostic: waiting with a deadline as the managed connection does
 * ({@code tryLock(timeout)}, a timed park) instead of {@code lock()}.
 */
final class FairLockSubject implements Subject {

	private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

	private final ReentrantLock lock = new ReentrantLock(true);

	private final boolean timed;

	private final Workload workload;

	private final String applicationName;

	private final Connection connection;

	FairLockSubject(Database database, Workload workload, boolean timed) throws SQLException {
		this.timed = timed;
		this.workload = workload;
		this.applicationName = Database.newApplicationName();
		this.connection = database.connect(this.applicationName, workload.autoCommit());
	}

	@Override
	public void perform() throws SQLException, InterruptedException {
		if (!this.timed) {
			this.lock.lock();
		}
		// As the managed connection does: tryLock(0, unit) honours fairness, tryLock() would barge.
		else if (!this.lock.tryLock(0, TimeUnit.NANOSECONDS) && !this.lock.tryLock(TIMEOUT_NANOS, TimeUnit.NANOSECONDS)) {
			throw new SQLException("Timed out waiting for the lock");
		}
		try {
			this.workload.run(this.connection);
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public String applicationName() {
		return this.applicationName;
	}

	@Override
	public void close() throws SQLException {
		this.connection.close();
	}

}
