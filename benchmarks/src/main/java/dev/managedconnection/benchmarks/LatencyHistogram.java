package dev.managedconnection.benchmarks;

/**
 * A log-linear histogram of latencies in nanoseconds with a relative error below 1%, allocated
 * up front so that recording allocates nothing. Each worker thread owns one; they are merged
 * after the measurement.
 */
final class LatencyHistogram {

	private static final int SUB_BUCKET_BITS = 7;

	private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;

	// Latencies up to 2^37 ns (about 137 s); longer ones land in the last bucket.
	private static final int MAX_EXPONENT = 37;

	private static final int BUCKETS = SUB_BUCKETS + (MAX_EXPONENT - SUB_BUCKET_BITS) * SUB_BUCKETS;

	private final long[] counts = new long[BUCKETS];

	private long total;

	private long max;

	void record(long nanos) {
		this.counts[index(nanos)]++;
		this.total++;
		this.max = Math.max(this.max, nanos);
	}

	void add(LatencyHistogram other) {
		for (int i = 0; i < BUCKETS; i++) {
			this.counts[i] += other.counts[i];
		}
		this.total += other.total;
		this.max = Math.max(this.max, other.max);
	}

	/**
	 * Return the longest latency recorded, exactly: the starvation check.
	 * @return the latency in nanoseconds, 0 when nothing was recorded
	 */
	long max() {
		return this.max;
	}

	long total() {
		return this.total;
	}

	/**
	 * Return the latency at the given percentile.
	 * @param percentile between 0 and 100
	 * @return the latency in nanoseconds (the middle of its bucket), or 0 when nothing was recorded
	 */
	long percentile(double percentile) {
		if (this.total == 0) {
			return 0;
		}
		long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * this.total));
		long seen = 0;
		for (int i = 0; i < BUCKETS; i++) {
			seen += this.counts[i];
			if (seen >= rank) {
				return middle(i);
			}
		}
		return middle(BUCKETS - 1);
	}

	static int index(long nanos) {
		if (nanos < SUB_BUCKETS) {
			return (int) Math.max(0, nanos);
		}
		int exponent = 63 - Long.numberOfLeadingZeros(nanos);
		if (exponent >= MAX_EXPONENT) {
			return BUCKETS - 1;
		}
		int shift = exponent - SUB_BUCKET_BITS;
		int subBucket = (int) (nanos >>> shift) - SUB_BUCKETS;
		return SUB_BUCKETS + shift * SUB_BUCKETS + subBucket;
	}

	static long middle(int index) {
		if (index < SUB_BUCKETS) {
			return index;
		}
		int shift = (index - SUB_BUCKETS) / SUB_BUCKETS;
		long lowest = (long) (SUB_BUCKETS + (index - SUB_BUCKETS) % SUB_BUCKETS) << shift;
		return lowest + ((1L << shift) >> 1);
	}

}
