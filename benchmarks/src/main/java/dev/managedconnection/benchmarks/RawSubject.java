package dev.managedconnection.benchmarks;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * {@code RAW}: one pgjdbc connection used by one thread in a loop, with nothing in between: the
 * physical limit of one connection, against which every other configuration is compared.
 */
final class RawSubject implements Subject {

	private final Workload workload;

	private final String applicationName;

	private final Connection connection;

	RawSubject(Database database, Workload workload) throws SQLException {
		this.workload = workload;
		this.applicationName = Database.newApplicationName();
		this.connection = database.connect(this.applicationName, workload.autoCommit());
	}

	@Override
	public void perform() throws SQLException {
		this.workload.run(this.connection);
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
