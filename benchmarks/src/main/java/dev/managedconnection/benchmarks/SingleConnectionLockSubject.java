package dev.managedconnection.benchmarks;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;

import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * {@code SCDS-LOCK}: Spring's {@link SingleConnectionDataSource} (which says it is not
 * multi-thread capable) made safe the way a user would: a default, non-fair
 * {@link ReentrantLock} around each use.
 */
final class SingleConnectionLockSubject implements Subject {

	private final ReentrantLock lock = new ReentrantLock();

	private final Workload workload;

	private final String applicationName;

	private final SingleConnectionDataSource dataSource;

	SingleConnectionLockSubject(Database database, Workload workload) throws SQLException {
		this.workload = workload;
		this.applicationName = Database.newApplicationName();
		this.dataSource = new SingleConnectionDataSource(database.url(), database.username(), database.password(),
				true);
		this.dataSource.setConnectionProperties(database.properties(this.applicationName));
		this.dataSource.setAutoCommit(workload.autoCommit());
		// Connect now, not inside the first measured operation.
		this.dataSource.getConnection().close();
	}

	@Override
	public void perform() throws SQLException {
		this.lock.lock();
		try (Connection connection = this.dataSource.getConnection()) {
			this.workload.run(connection);
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
	public void close() {
		this.dataSource.destroy();
	}

}
