package dev.managedconnection.benchmarks;

import java.sql.SQLException;

import dev.managedconnection.ConnectionCallback;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ScopeOptions;

/**
 * {@code MANAGED}: {@link ManagedConnection#execute} with the default settings (fair, validation
 * after 500 ms idle); with autocommit off the scope commits on release
 * ({@link ScopeOptions#commit()}).
 */
final class ManagedSubject implements Subject {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private static final ConnectionCallback<Void> SELECT_ONE = (connection) -> {
		Workload.selectOne(connection);
		return null;
	};

	private final ScopeOptions options;

	private final String applicationName;

	private final ManagedConnection managed;

	ManagedSubject(Database database, Workload workload) throws SQLException {
		this.options = workload.autoCommit() ? ScopeOptions.DEFAULT : COMMIT;
		this.applicationName = Database.newApplicationName();
		this.managed = ManagedConnection.builder()
			.url(database.url())
			.username(database.username())
			.password(database.password())
			.applicationName(this.applicationName)
			.autoCommit(workload.autoCommit())
			.build();
		// The connection opens on first use: open it now, not inside the first measured operation.
		perform();
	}

	@Override
	public void perform() throws SQLException {
		this.managed.execute(this.options, SELECT_ONE);
	}

	@Override
	public String applicationName() {
		return this.applicationName;
	}

	@Override
	public void close() {
		this.managed.close();
	}

}
