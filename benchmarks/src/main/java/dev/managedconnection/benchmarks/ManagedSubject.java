package dev.managedconnection.benchmarks;

import java.sql.SQLException;
import java.util.function.UnaryOperator;

import dev.managedconnection.ConnectionCallback;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ManagedConnectionBuilder;
import dev.managedconnection.ScopeOptions;

/**
 * {@code MANAGED}: {@link ManagedConnection#execute} with the default settings (validation
 * after 500 ms idle), or with the lock's order changed for a comparison; with autocommit off the
 * scope commits on release ({@link ScopeOptions#commit()}).
 */
final class ManagedSubject implements Subject {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private final ScopeOptions options;

	private final ConnectionCallback<Void> body;

	private final String applicationName;

	private final ManagedConnection managed;

	ManagedSubject(Database database, Workload workload, UnaryOperator<ManagedConnectionBuilder> tuning)
			throws SQLException {
		this.options = workload.autoCommit() ? ScopeOptions.DEFAULT : COMMIT;
		this.body = (connection) -> {
			workload.body(connection);
			return null;
		};
		this.applicationName = Database.newApplicationName();
		this.managed = tuning.apply(ManagedConnection.builder())
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
		this.managed.execute(this.options, this.body);
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
