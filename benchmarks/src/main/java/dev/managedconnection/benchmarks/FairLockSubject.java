package dev.managedconnection.benchmarks;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code LOCK-FAIR}: a plain fair {@link ReentrantLock} around one raw connection. It is what the
 * managed connection would cost if its own checks cost nothing.
 */
final class FairLockSubject implements Subject {

	private final ReentrantLock lock = new ReentrantLock(true);

	private final Workload workload;

	private final String applicationName;

	private final Connection connection;

	FairLockSubject(Database database, Workload workload) throws SQLException {
		this.workload = workload;
		this.applicationName = Database.newApplicationName();
		this.connection = database.connect(this.applicationName, workload.autoCommit());
	}

	@Override
	public void perform() throws SQLException {
		this.lock.lock();
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
