package dev.managedconnection.benchmarks;

/**
 * One configuration ready to run operations from many threads; closing it releases its connections.
 */
interface Subject extends AutoCloseable {

	/**
	 * Run one operation of the workload, acquiring and releasing the connection as this
	 * configuration does.
	 * @throws Exception on any failure, which aborts the measurement
	 */
	void perform() throws Exception;

	/**
	 * Return the {@code application_name} all of this subject's connections carry, so that their
	 * server processes can be found, pinned and measured.
	 * @return the application name
	 */
	String applicationName();

	@Override
	void close() throws Exception;

}
