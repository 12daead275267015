package dev.managedconnection.benchmarks;

import org.jspecify.annotations.Nullable;

/**
 * One run of one configuration in one round: its measurement, or why it failed.
 *
 * @param round the round, 0 for the discarded warm-up round
 * @param workload the workload
 * @param kind the kind of threads
 * @param threads the number of threads
 * @param candidate the configuration
 * @param measurement the measurement, or {@code null} if the run failed
 * @param failure why the run failed, or {@code null}
 * @param rawReference the mean operations per second of the RAW runs next to this one in the
 * same round, or {@code NaN} for RAW itself and when they failed
 */
record Outcome(int round, Workload workload, ThreadKind kind, int threads, Candidate candidate,
		@Nullable Measurement measurement, @Nullable String failure, double rawReference) {

	Outcome withRawReference(double reference) {
		return new Outcome(this.round, this.workload, this.kind, this.threads, this.candidate, this.measurement,
				this.failure, reference);
	}

	double operationsPerSecond() {
		return (this.measurement != null) ? this.measurement.operationsPerSecond() : Double.NaN;
	}

	/**
	 * Return this run's operations per second divided by those of its neighbouring RAW runs.
	 * @return the ratio, 1 for RAW, {@code NaN} if unknown
	 */
	double ratioToRaw() {
		return (this.candidate == Candidate.RAW) ? 1.0 : operationsPerSecond() / this.rawReference;
	}

}
