package dev.managedconnection.benchmarks;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * {@code HIKARI-1} and {@code HIKARI-N}: a HikariCP pool of a fixed size, with
 * {@code getConnection()} and {@code close()} around each operation.
 */
final class HikariSubject implements Subject {

	private static final Duration FILL_TIMEOUT = Duration.ofSeconds(30);

	private final Workload workload;

	private final String applicationName;

	private final HikariDataSource dataSource;

	HikariSubject(Database database, Workload workload, int poolSize) throws SQLException {
		this.workload = workload;
		this.applicationName = Database.newApplicationName();
		HikariConfig config = new HikariConfig();
		config.setPoolName(this.applicationName);
		config.setJdbcUrl(database.url());
		config.setUsername(database.username());
		config.setPassword(database.password());
		config.addDataSourceProperty("ApplicationName", this.applicationName);
		config.setAutoCommit(workload.autoCommit());
		config.setMaximumPoolSize(poolSize);
		config.setMinimumIdle(poolSize);
		this.dataSource = new HikariDataSource(config);
		awaitFull(poolSize);
	}

	// HikariCP opens all but the first connection in the background; the backends must exist
	// before they can be pinned.
	private void awaitFull(int poolSize) throws SQLException {
		long deadline = System.nanoTime() + FILL_TIMEOUT.toNanos();
		while (this.dataSource.getHikariPoolMXBean().getTotalConnections() < poolSize) {
			if (System.nanoTime() - deadline > 0) {
				this.dataSource.close();
				throw new SQLException("HikariCP did not open " + poolSize + " connections within " + FILL_TIMEOUT);
			}
			try {
				Thread.sleep(5);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.dataSource.close();
				throw new SQLException("Interrupted while HikariCP opened its connections", ex);
			}
		}
	}

	@Override
	public void perform() throws SQLException {
		try (Connection connection = this.dataSource.getConnection()) {
			this.workload.run(connection);
		}
	}

	@Override
	public String applicationName() {
		return this.applicationName;
	}

	@Override
	public void close() {
		this.dataSource.close();
	}

}
