package dev.managedconnection.benchmarks;

/**
 * What the configurations of one harness run share: the database, and whatever is too slow to
 * start for every measurement.
 */
final class Fixtures implements AutoCloseable {

	private final Database database;

	Fixtures(Database database) {
		this.database = database;
	}

	Database database() {
		return this.database;
	}

	@Override
	public void close() {
	}

}
