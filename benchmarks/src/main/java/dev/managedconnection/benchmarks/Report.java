package dev.managedconnection.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Turns the outcomes of the measured rounds into Markdown: one table per workload with the
 * median of every figure over the rounds, then the targets for the managed
 * configurations with what was measured.
 */
final class Report {

	private static final List<String> JUDGED = List.of("MANAGED", "ANNOTATED");

	private final Settings settings;

	private final List<Outcome> outcomes;

	/**
	 * Create a report.
	 * @param settings the settings of the run
	 * @param outcomes the outcomes of every round; the warm-up round is ignored
	 */
	Report(Settings settings, List<Outcome> outcomes) {
		this.settings = settings;
		this.outcomes = outcomes.stream().filter((outcome) -> outcome.round() > 0).toList();
	}

	void print(PrintStream out, List<String> header) {
		out.println("# Managed connection throughput");
		out.println();
		header.forEach((line) -> out.println("- " + line));
		out.println();
		out.println("Each figure is the median over the rounds. `× RAW` divides a run's operations per second by the mean of"
				+ " the RAW runs just before and after it in the same round (in brackets: lowest and highest of the rounds)."
				+ " Latency includes the wait for the connection. Fairness is the fewest operations of any thread divided by"
				+ " the most. CPU per operation: this JVM's CPU time (all threads, JIT and GC included, from /proc) and the"
				+ " CPU time of the configuration's server processes, each divided by the operations in the window. JVM switches:"
				+ " context switches of all this JVM's threads per operation (a hand-off of the connection to a parked"
				+ " thread costs at least one).");
		for (Workload workload : this.settings.workloads()) {
			out.println();
			out.println("## (" + workload.letter() + ") " + workload.description());
			out.println();
			out.println("| threads | configuration | ops/s | × RAW | p50 µs | p99 µs | fairness | JVM CPU µs/op | backend CPU µs/op | JVM switches/op |");
			out.println("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|");
			for (ThreadKind kind : ThreadKind.values()) {
				printRows(out, workload, kind);
			}
		}
		printTargets(out);
		new HikariComparison(this.outcomes, this.settings.candidates()).print(out);
	}

	private void printRows(PrintStream out, Workload workload, ThreadKind kind) {
		List<Outcome> ofKind = this.outcomes.stream()
			.filter((outcome) -> outcome.workload() == workload && outcome.kind() == kind)
			.toList();
		if (ofKind.isEmpty()) {
			return;
		}
		printRow(out, kind, 1, Candidate.RAW, select(workload, kind, 1, Candidate.RAW));
		List<Integer> threadCounts = ofKind.stream()
			.filter((outcome) -> outcome.candidate() != Candidate.RAW)
			.map(Outcome::threads)
			.distinct()
			.sorted()
			.toList();
		for (int threads : threadCounts) {
			for (Candidate candidate : Candidate.values()) {
				if (candidate != Candidate.RAW && this.settings.candidates().contains(candidate)) {
					printRow(out, kind, threads, candidate, select(workload, kind, threads, candidate));
				}
			}
		}
	}

	private void printRow(PrintStream out, ThreadKind kind, int threads, Candidate candidate, List<Outcome> runs) {
		String threadLabel = (kind == ThreadKind.VIRTUAL) ? threads + " virtual" : Integer.toString(threads);
		List<Outcome> measured = runs.stream().filter((outcome) -> outcome.measurement() != null).toList();
		if (measured.isEmpty()) {
			String failure = runs.stream()
				.map(Outcome::failure)
				.filter(Objects::nonNull)
				.findFirst()
				.orElse("not run");
			out.printf(Locale.ROOT, "| %s | %s | failed: %s | | | | | | | |%n", threadLabel, candidate.label(),
					failure.replace('|', '/'));
			return;
		}
		String ratio;
		if (candidate == Candidate.RAW) {
			ratio = "1";
		}
		else {
			double[] ratios = values(measured, Outcome::ratioToRaw);
			ratio = String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", median(ratios), min(ratios), max(ratios));
		}
		String failures = (measured.size() < runs.size()) ? " (" + (runs.size() - measured.size()) + " failed)" : "";
		out.printf(Locale.ROOT, "| %s | %s%s | %,.0f | %s | %.0f | %.0f | %.2f | %.1f | %.1f | %.2f |%n", threadLabel,
				candidate.label(), failures, median(values(measured, Outcome::operationsPerSecond)), ratio,
				median(measurementValues(measured, Measurement::p50Micros)),
				median(measurementValues(measured, Measurement::p99Micros)),
				median(measurementValues(measured, Measurement::fairness)),
				median(measurementValues(measured, Measurement::jvmCpuMicrosPerOperation)),
				median(measurementValues(measured, Measurement::backendCpuMicrosPerOperation)),
				median(measurementValues(measured, Measurement::jvmContextSwitchesPerOperation)));
	}

	private void printTargets(PrintStream out) {
		List<Candidate> judged = this.settings.candidates()
			.stream()
			.filter((candidate) -> JUDGED.contains(candidate.label()))
			.toList();
		if (judged.isEmpty()) {
			return;
		}
		out.println();
		out.println("## Targets");
		out.println();
		out.println("| target | " + judged.stream().map(Candidate::label).collect(Collectors.joining(" | ")) + " |");
		out.println("|---|" + "---|".repeat(judged.size()));
		for (Target target : targets()) {
			String cells = judged.stream().map(target.evaluate()).collect(Collectors.joining(" | "));
			out.println("| " + target.description() + " | " + cells + " |");
		}
	}

	private List<Target> targets() {
		List<Target> targets = new ArrayList<>();
		Candidate lockFair = Candidate.LOCK_FAIR;
		Candidate hikari1 = Candidate.HIKARI_1;
		List<Integer> contended = this.settings.platformThreads().stream().filter((threads) -> threads > 1).toList();
		for (Workload workload : this.settings.workloads()) {
			if (workload == Workload.WEB) {
				// Judged against HIKARI-1 by the comparison below the targets.
				continue;
			}
			String w = "(" + workload.letter() + ")";
			targets.add(new Target(w + " 1 thread: ≥ 0.99× RAW",
					(candidate) -> judge(medianRatio(workload, ThreadKind.PLATFORM, 1, candidate), 0.99)));
			if (this.settings.candidates().contains(lockFair)) {
				for (int threads : contended) {
					targets.add(new Target(w + " " + threads + " threads: ≥ 1.00× LOCK-FAIR", (candidate) -> judge(
							medianPairedRatio(workload, ThreadKind.PLATFORM, threads, candidate, lockFair), 1.00)));
				}
			}
			if (workload == Workload.AUTOCOMMIT && this.settings.candidates().contains(hikari1)) {
				for (int threads : List.of(16, 64)) {
					targets.add(new Target(w + " " + threads + " threads: ≥ 1.35× HIKARI-1", (candidate) -> judge(
							medianPairedRatio(workload, ThreadKind.PLATFORM, threads, candidate, hikari1), 1.35)));
				}
			}
			double atMost = (workload == Workload.AUTOCOMMIT) ? 0.85 : 0.95;
			targets.add(new Target(String.format(Locale.ROOT, "%s 64 threads: ≥ %.2f× RAW", w, atMost),
					(candidate) -> judge(medianRatio(workload, ThreadKind.PLATFORM, 64, candidate), atMost)));
			targets.add(new Target(w + " fairness ≥ 0.90 at every thread count (lowest median)",
					(candidate) -> judge(lowestFairness(workload, candidate), 0.90)));
			targets.add(new Target(w + " 64 threads: p99 ≤ 1.5× p50", (candidate) -> judgeAtMost(
					tailRatio(workload, ThreadKind.PLATFORM, 64, candidate), 1.5)));
		}
		if (this.settings.workloads().contains(Workload.COMMIT) && this.settings.virtualThreads() > 0) {
			int threads = this.settings.virtualThreads();
			targets.add(new Target("(b) " + threads + " virtual threads: ≥ 0.95× one-virtual-thread RAW",
					(candidate) -> judge(medianRatio(Workload.COMMIT, ThreadKind.VIRTUAL, threads, candidate), 0.95)));
			targets.add(new Target("(b) " + threads + " virtual threads: no thread starved (fewest ops of any thread, lowest round)",
					(candidate) -> judge(fewestOperations(Workload.COMMIT, ThreadKind.VIRTUAL, threads, candidate), 1)));
		}
		return targets;
	}

	private double medianRatio(Workload workload, ThreadKind kind, int threads, Candidate candidate) {
		return median(values(measured(workload, kind, threads, candidate), Outcome::ratioToRaw));
	}

	// The ratio of two configurations' throughput in the same round, then the median over the rounds.
	private double medianPairedRatio(Workload workload, ThreadKind kind, int threads, Candidate candidate,
			Candidate reference) {
		List<Double> ratios = new ArrayList<>();
		for (Outcome run : measured(workload, kind, threads, candidate)) {
			for (Outcome other : measured(workload, kind, threads, reference)) {
				if (other.round() == run.round()) {
					ratios.add(run.operationsPerSecond() / other.operationsPerSecond());
				}
			}
		}
		return median(ratios.stream().mapToDouble(Double::doubleValue).toArray());
	}

	private double lowestFairness(Workload workload, Candidate candidate) {
		return this.settings.platformThreads()
			.stream()
			.mapToDouble((threads) -> median(
					measurementValues(measured(workload, ThreadKind.PLATFORM, threads, candidate), Measurement::fairness)))
			.min()
			.orElse(Double.NaN);
	}

	private double tailRatio(Workload workload, ThreadKind kind, int threads, Candidate candidate) {
		List<Outcome> measured = measured(workload, kind, threads, candidate);
		return median(measurementValues(measured, Measurement::p99Micros))
				/ median(measurementValues(measured, Measurement::p50Micros));
	}

	private double fewestOperations(Workload workload, ThreadKind kind, int threads, Candidate candidate) {
		double[] fewest = measurementValues(measured(workload, kind, threads, candidate),
				(measurement) -> measurement.fewestPerThread());
		return (fewest.length > 0) ? min(fewest) : Double.NaN;
	}

	private static String judge(double value, double atLeast) {
		if (Double.isNaN(value)) {
			return "not measured";
		}
		return String.format(Locale.ROOT, "%.2f %s", value, (value >= atLeast) ? "met" : "**not met**");
	}

	private static String judgeAtMost(double value, double atMost) {
		if (Double.isNaN(value)) {
			return "not measured";
		}
		return String.format(Locale.ROOT, "%.2f %s", value, (value <= atMost) ? "met" : "**not met**");
	}

	private List<Outcome> select(Workload workload, ThreadKind kind, int threads, Candidate candidate) {
		return this.outcomes.stream()
			.filter((outcome) -> outcome.workload() == workload && outcome.kind() == kind
					&& outcome.threads() == threads && outcome.candidate() == candidate)
			.toList();
	}

	private List<Outcome> measured(Workload workload, ThreadKind kind, int threads, Candidate candidate) {
		return select(workload, kind, threads, candidate).stream()
			.filter((outcome) -> outcome.measurement() != null)
			.toList();
	}

	private static double[] values(List<Outcome> outcomes, ToDoubleFunction<Outcome> value) {
		return outcomes.stream().mapToDouble(value).filter((v) -> !Double.isNaN(v)).toArray();
	}

	private static double[] measurementValues(List<Outcome> outcomes, ToDoubleFunction<Measurement> value) {
		return outcomes.stream()
			.map(Outcome::measurement)
			.filter(Objects::nonNull)
			.mapToDouble(value)
			.toArray();
	}

	static double median(double[] values) {
		if (values.length == 0) {
			return Double.NaN;
		}
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

	private static double min(double[] values) {
		return Arrays.stream(values).min().orElse(Double.NaN);
	}

	private static double max(double[] values) {
		return Arrays.stream(values).max().orElse(Double.NaN);
	}

	/**
	 * One of the targets, evaluated for each judged configuration.
	 *
	 * @param description what the target asks
	 * @param evaluate the measured value and verdict for a configuration
	 */
	private record Target(String description, Function<Candidate, String> evaluate) {

	}

}
