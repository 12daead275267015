package dev.managedconnection.benchmarks;

import java.sql.SQLException;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.annotation.ExclusiveConnection;
import dev.managedconnection.annotation.ExclusiveConnectionBeanPostProcessor;

import org.springframework.context.support.GenericApplicationContext;

/**
 * {@code ANNOTATED}: a Spring bean method annotated with {@link ExclusiveConnection}, called
 * through its class-based proxy. The application context is the smallest that applies the
 * annotation as the auto-configuration does: the managed connection, the
 * {@link ExclusiveConnectionBeanPostProcessor} and the bean.
 */
final class AnnotatedSubject implements Subject {

	private final String applicationName;

	private final ManagedConnection managed;

	private final GenericApplicationContext context;

	private final Operations operations;

	private final boolean commit;

	AnnotatedSubject(Database database, Workload workload) throws SQLException {
		this.applicationName = Database.newApplicationName();
		this.commit = !workload.autoCommit();
		this.managed = ManagedConnection.builder()
			.url(database.url())
			.username(database.username())
			.password(database.password())
			.applicationName(this.applicationName)
			.autoCommit(workload.autoCommit())
			.build();
		this.context = new GenericApplicationContext();
		this.context.registerBean(ManagedConnection.class, () -> this.managed);
		this.context.registerBean(ExclusiveConnectionBeanPostProcessor.class, () -> {
			ExclusiveConnectionBeanPostProcessor postProcessor = new ExclusiveConnectionBeanPostProcessor(
					() -> this.managed);
			postProcessor.setProxyTargetClass(true);
			return postProcessor;
		});
		this.context.registerBean(Operations.class, () -> new Operations(this.managed, workload));
		this.context.refresh();
		this.operations = this.context.getBean(Operations.class);
		// The connection opens on first use: open it now, not inside the first measured operation.
		perform();
	}

	@Override
	public void perform() throws SQLException {
		if (this.commit) {
			this.operations.runAndCommit();
		}
		else {
			this.operations.run();
		}
	}

	@Override
	public String applicationName() {
		return this.applicationName;
	}

	@Override
	public void close() {
		this.context.close();
		this.managed.close();
	}

	/**
	 * The bean whose annotated methods the benchmark calls.
	 */
	static class Operations {

		private final ManagedConnection managed;

		private final Workload workload;

		Operations(ManagedConnection managed, Workload workload) {
			this.managed = managed;
			this.workload = workload;
		}

		@ExclusiveConnection
		public void run() throws SQLException {
			this.workload.body(this.managed.currentConnection());
		}

		@ExclusiveConnection(commit = true)
		public void runAndCommit() throws SQLException {
			this.workload.body(this.managed.currentConnection());
		}

	}

}
