package dev.managedconnection.benchmarks;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The web mode's verdict: each configuration against {@code HIKARI-1} run in the same round,
 * every round listed, with the latency tail and the longest request (the starvation check).
 * The goal of issue 12 part 7: at least 1.00× {@code HIKARI-1}'s throughput, a p99 no worse
 * than its p99, and no thread starved.
 */
final class HikariComparison {

	private final List<Outcome> outcomes;

	private final List<Candidate> candidates;

	/**
	 * Create a comparison.
	 * @param outcomes the outcomes of the measured rounds
	 * @param candidates the configurations that ran
	 */
	HikariComparison(List<Outcome> outcomes, List<Candidate> candidates) {
		this.outcomes = outcomes;
		this.candidates = candidates;
	}

	void print(PrintStream out) {
		if (!this.candidates.contains(Candidate.HIKARI_1) || !ran(Workload.WEB)) {
			return;
		}
		Workload workload = Workload.WEB;
		out.println();
		out.println("## (" + workload.letter() + ") against HIKARI-1, round by round");
		out.println();
		out.println("Throughput and p99 divided by those of HIKARI-1 in the same round (median, then every round in"
				+ " order); max: the longest request of any thread in any round, wait for the connection included;"
				+ " fewest: the fewest requests any one thread completed in a window (lowest round).");
		out.println();
		out.println("| threads | configuration | × HIKARI-1 | rounds | p50 ms | p99 ms | p99 ÷ HIKARI-1's | max ms | fewest | goal |");
		out.println("|---:|---|---:|---|---:|---:|---:|---:|---:|---|");
		List<Integer> threadCounts = this.outcomes.stream()
			.filter((outcome) -> outcome.workload() == workload && outcome.candidate() != Candidate.RAW)
			.map(Outcome::threads)
			.distinct()
			.sorted()
			.toList();
		for (int threads : threadCounts) {
			for (Candidate candidate : this.candidates) {
				printRow(out, workload, threads, candidate);
			}
		}
	}

	private void printRow(PrintStream out, Workload workload, int threads, Candidate candidate) {
		List<Outcome> runs = measured(workload, threads, candidate);
		List<Outcome> hikari = measured(workload, threads, Candidate.HIKARI_1);
		if (runs.isEmpty() || hikari.isEmpty()) {
			return;
		}
		double[] ratios = runs.stream()
			.mapToDouble((run) -> paired(run, hikari, Measurement::operationsPerSecond))
			.filter((ratio) -> !Double.isNaN(ratio))
			.toArray();
		double[] tails = runs.stream()
			.mapToDouble((run) -> paired(run, hikari, Measurement::p99Micros))
			.filter((ratio) -> !Double.isNaN(ratio))
			.toArray();
		double ratio = Report.median(ratios);
		double tail = Report.median(tails);
		long fewest = runs.stream().map(Outcome::measurement).filter(Objects::nonNull)
			.mapToLong(Measurement::fewestPerThread).min().orElse(0);
		String goal = (candidate == Candidate.HIKARI_1) ? "" : ((ratio >= 1.0 && tail <= 1.0 && fewest > 0) ? "met" : "**not met**");
		out.printf(Locale.ROOT, "| %d | %s | %.2f | %s | %.2f | %.2f | %.2f | %.1f | %d | %s |%n", threads,
				candidate.label(), ratio,
				Arrays.stream(ratios).mapToObj((r) -> String.format(Locale.ROOT, "%.2f", r)).collect(Collectors.joining(" ")),
				median(runs, Measurement::p50Micros) / 1e3, median(runs, Measurement::p99Micros) / 1e3, tail,
				runs.stream().map(Outcome::measurement).filter(Objects::nonNull).mapToDouble(Measurement::maxMillis).max().orElse(Double.NaN),
				fewest, goal);
	}

	private static double paired(Outcome run, List<Outcome> references, ToDoubleFunction<Measurement> value) {
		for (Outcome reference : references) {
			if (reference.round() == run.round()) {
				return value.applyAsDouble(Objects.requireNonNull(run.measurement()))
						/ value.applyAsDouble(Objects.requireNonNull(reference.measurement()));
			}
		}
		return Double.NaN;
	}

	private static double median(List<Outcome> runs, ToDoubleFunction<Measurement> value) {
		return Report.median(runs.stream().map(Outcome::measurement).filter(Objects::nonNull).mapToDouble(value).toArray());
	}

	private boolean ran(Workload workload) {
		return this.outcomes.stream().anyMatch((outcome) -> outcome.workload() == workload);
	}

	private List<Outcome> measured(Workload workload, int threads, Candidate candidate) {
		return this.outcomes.stream()
			.filter((outcome) -> outcome.workload() == workload && outcome.kind() == ThreadKind.PLATFORM
					&& outcome.threads() == threads && outcome.candidate() == candidate && outcome.measurement() != null)
			.toList();
	}

}
