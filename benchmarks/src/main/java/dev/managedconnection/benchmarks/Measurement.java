package dev.managedconnection.benchmarks;

/**
 * What one measurement window of one configuration produced.
 *
 * @param operations the operations completed by all threads in the window
 * @param windowNanos the length of the window
 * @param fewestPerThread the fewest operations any one thread completed
 * @param mostPerThread the most operations any one thread completed
 * @param latencies the latency of every operation in the window, lock wait included
 * @param jvmCpuNanos the CPU time this JVM used in the window (all its threads, GC and JIT included)
 * @param backendCpuNanos the CPU time the configuration's server processes used in the window
 * @param jvmContextSwitches the context switches of this JVM's threads in the window, -1 if unknown
 */
record Measurement(long operations, long windowNanos, long fewestPerThread, long mostPerThread,
		LatencyHistogram latencies, long jvmCpuNanos, long backendCpuNanos, long jvmContextSwitches) {

	double operationsPerSecond() {
		return this.operations * 1e9 / this.windowNanos;
	}

	double fairness() {
		return (this.mostPerThread != 0) ? (double) this.fewestPerThread / this.mostPerThread : 0;
	}

	double p50Micros() {
		return this.latencies.percentile(50) / 1e3;
	}

	double p99Micros() {
		return this.latencies.percentile(99) / 1e3;
	}

	double maxMillis() {
		return this.latencies.max() / 1e6;
	}

	double jvmCpuMicrosPerOperation() {
		return (this.operations != 0) ? this.jvmCpuNanos / 1e3 / this.operations : 0;
	}

	double jvmContextSwitchesPerOperation() {
		return (this.operations != 0 && this.jvmContextSwitches >= 0) ? (double) this.jvmContextSwitches / this.operations
				: Double.NaN;
	}

	double backendCpuMicrosPerOperation() {
		return (this.operations != 0) ? this.backendCpuNanos / 1e3 / this.operations : 0;
	}

}
