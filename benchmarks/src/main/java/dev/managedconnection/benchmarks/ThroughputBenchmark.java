package dev.managedconnection.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.jspecify.annotations.Nullable;

/**
 * The database throughput harness (a plain main, not JMH): runs every configuration against the
 * same PostgreSQL at several thread counts, in shuffled order every round with RAW runs in
 * between, and prints a Markdown table of the medians.
 * <p>
 * Meant to be started pinned to one CPU ({@code taskset -c 0 java -XX:ActiveProcessorCount=2 ...},
 * see {@code benchmarks/run.sh}); the harness then pins each configuration's server processes to
 * the same CPU, so that hand-offs between threads cost what they cost in the worst case and
 * ratios are stable.
 */
public final class ThroughputBenchmark {

	private final Settings settings;

	private final Database database;

	private final PrintStream progress;

	private ThroughputBenchmark(Settings settings, Database database, PrintStream progress) {
		this.settings = settings;
		this.database = database;
		this.progress = progress;
	}

	public static void main(String[] args) throws Exception {
		Settings settings;
		try {
			settings = Settings.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.exit(2);
			return;
		}
		new ThroughputBenchmark(settings, Database.fromEnvironment(System.getenv()), System.err).run(System.out);
	}

	private void run(PrintStream out) throws Exception {
		String cpus = Backends.ownCpus();
		String loadBefore = loadAverage();
		ZonedDateTime started = ZonedDateTime.now();
		List<Outcome> outcomes = new ArrayList<>();
		if (this.settings.workloads().contains(Workload.WEB)) {
			WebRequest.configure(this.database, this.settings.webOutsideMicros(), this.settings.webInsideMicros());
		}
		String serverVersion;
		boolean pinned;
		boolean cpuReadable;
		try (Backends backends = new Backends(this.database, this.settings.pinBackends() ? cpus : null);
				PrintWriter csv = openCsv(this.settings.csv())) {
			Random random = new Random(this.settings.seed());
			for (int round = 0; round <= this.settings.rounds(); round++) {
				List<Workload> workloads = new ArrayList<>(this.settings.workloads());
				Collections.shuffle(workloads, random);
				for (Workload workload : workloads) {
					List<ThreadKind> kinds = new ArrayList<>(List.of(ThreadKind.PLATFORM));
					if (this.settings.virtualThreads() > 0 && ThreadKind.VIRTUAL.available()) {
						kinds.add(ThreadKind.VIRTUAL);
					}
					Collections.shuffle(kinds, random);
					for (ThreadKind kind : kinds) {
						List<Outcome> group = runGroup(round, workload, kind, backends, random);
						group.forEach((outcome) -> writeCsv(csv, outcome));
						outcomes.addAll(group);
					}
				}
			}
			serverVersion = backends.serverVersion();
			pinned = backends.allPinned();
			cpuReadable = backends.cpuReadable();
		}
		List<String> header = new ArrayList<>();
		header.add("Date: " + started.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + ", took "
				+ Duration.between(started, ZonedDateTime.now()).toSeconds() + " s");
		header.add("Method: " + this.settings.describe());
		header.add("JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
				+ " (" + System.getProperty("java.vm.vendor") + "), arguments "
				+ ManagementFactory.getRuntimeMXBean().getInputArguments() + ", "
				+ Runtime.getRuntime().availableProcessors() + " processors reported, may run on CPUs " + cpus);
		header.add("Server: PostgreSQL " + serverVersion + " at " + this.database.url() + ", backends "
				+ (pinned ? "pinned to CPUs " + cpus : "NOT pinned") + ", backend CPU "
				+ (cpuReadable ? "read from /proc" : "NOT readable (server not local?)"));
		header.add("Machine: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", "
				+ onlineCpus() + " CPUs online, load average before " + loadBefore + ", after " + loadAverage());
		if (this.settings.virtualThreads() > 0 && !ThreadKind.VIRTUAL.available()) {
			header.add("Virtual threads: not measured, they need Java 21 or later");
		}
		new Report(this.settings, outcomes).print(out, header);
	}

	/**
	 * Run every configuration at every thread count of one kind, shuffled, with RAW first, last
	 * and after every few configurations; then give each run the mean of its neighbouring RAW runs.
	 */
	private List<Outcome> runGroup(int round, Workload workload, ThreadKind kind, Backends backends,
			Random random) {
		List<Integer> threadCounts = (kind == ThreadKind.PLATFORM) ? this.settings.platformThreads()
				: List.of(this.settings.virtualThreads());
		List<Outcome> cells = new ArrayList<>();
		for (Candidate candidate : this.settings.candidates()) {
			for (int threads : threadCounts) {
				cells.add(new Outcome(round, workload, kind, threads, candidate, null, null, Double.NaN));
			}
		}
		Collections.shuffle(cells, random);
		long began = System.nanoTime();
		List<Outcome> sequence = new ArrayList<>();
		sequence.add(runOne(round, workload, kind, 1, Candidate.RAW, backends));
		for (int i = 0; i < cells.size(); i++) {
			Outcome cell = cells.get(i);
			sequence.add(runOne(round, workload, kind, cell.threads(), cell.candidate(), backends));
			if ((i + 1) % this.settings.rawEvery() == 0 || i == cells.size() - 1) {
				sequence.add(runOne(round, workload, kind, 1, Candidate.RAW, backends));
			}
		}
		List<Outcome> result = new ArrayList<>();
		for (int i = 0; i < sequence.size(); i++) {
			Outcome outcome = sequence.get(i);
			result.add((outcome.candidate() != Candidate.RAW) ? outcome.withRawReference(neighbouringRaw(sequence, i))
					: outcome);
		}
		this.progress.printf(Locale.ROOT, "%s %s, %s threads: %d runs in %.1f s%n",
				(round == 0) ? "warm-up round" : "round " + round + "/" + this.settings.rounds(),
				workload.description(), kind.label(), sequence.size(), (System.nanoTime() - began) / 1e9);
		return result;
	}

	private static double neighbouringRaw(List<Outcome> sequence, int index) {
		double before = Double.NaN;
		for (int i = index - 1; i >= 0 && Double.isNaN(before); i--) {
			if (sequence.get(i).candidate() == Candidate.RAW) {
				before = sequence.get(i).operationsPerSecond();
			}
		}
		double after = Double.NaN;
		for (int i = index + 1; i < sequence.size() && Double.isNaN(after); i++) {
			if (sequence.get(i).candidate() == Candidate.RAW) {
				after = sequence.get(i).operationsPerSecond();
			}
		}
		if (Double.isNaN(before)) {
			return after;
		}
		return Double.isNaN(after) ? before : (before + after) / 2;
	}

	private Outcome runOne(int round, Workload workload, ThreadKind kind, int threads, Candidate candidate,
			Backends backends) {
		boolean virtual = kind == ThreadKind.VIRTUAL;
		Duration warmIn = virtual ? this.settings.virtualWarmIn() : this.settings.warmIn();
		Duration window = virtual ? this.settings.virtualWindow() : this.settings.window();
		if (round == 0) {
			// The warm-up round only has to get the code compiled.
			window = window.dividedBy(2);
		}
		try (Subject subject = candidate.open(this.database, workload, threads)) {
			List<Integer> pids = backends.findAndPin(subject.applicationName());
			Measurement measurement = new LoadRun(subject, workload, kind, threads).measure(warmIn, window,
					() -> backends.cpuNanos(pids));
			return new Outcome(round, workload, kind, threads, candidate, measurement, null, Double.NaN);
		}
		catch (Exception ex) {
			this.progress.printf("%s with %d %s threads, %s: failed%n", candidate.label(), threads, kind.label(),
					workload.description());
			ex.printStackTrace(this.progress);
			return new Outcome(round, workload, kind, threads, candidate, null, String.valueOf(ex.getMessage()),
					Double.NaN);
		}
	}

	private static PrintWriter openCsv(@Nullable Path path) throws IOException {
		if (path == null) {
			return new PrintWriter(PrintWriter.nullWriter());
		}
		PrintWriter writer = new PrintWriter(Files.newBufferedWriter(path));
		writer.println("round,workload,kind,threads,configuration,operations,window_ns,ops_per_s,raw_reference,"
				+ "fewest_per_thread,most_per_thread,p50_us,p99_us,max_ms,jvm_cpu_ns,backend_cpu_ns,jvm_context_switches,failure");
		return writer;
	}

	private static void writeCsv(PrintWriter csv, Outcome outcome) {
		Measurement m = outcome.measurement();
		if (m == null) {
			csv.printf(Locale.ROOT, "%d,%s,%s,%d,%s,,,,,,,,,,,,,\"%s\"%n", outcome.round(), outcome.workload(),
					outcome.kind(), outcome.threads(), outcome.candidate().label(),
					String.valueOf(outcome.failure()).replace('"', '\''));
			return;
		}
		csv.printf(Locale.ROOT, "%d,%s,%s,%d,%s,%d,%d,%.1f,%.1f,%d,%d,%.1f,%.1f,%.1f,%d,%d,%d,%n", outcome.round(),
				outcome.workload(), outcome.kind(), outcome.threads(), outcome.candidate().label(), m.operations(),
				m.windowNanos(), m.operationsPerSecond(), outcome.rawReference(), m.fewestPerThread(),
				m.mostPerThread(), m.p50Micros(), m.p99Micros(), m.maxMillis(), m.jvmCpuNanos(), m.backendCpuNanos(),
				m.jvmContextSwitches());
		csv.flush();
	}

	private static String loadAverage() {
		try {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
			return fields[0] + " " + fields[1] + " " + fields[2];
		}
		catch (IOException | RuntimeException ex) {
			return "unknown";
		}
	}

	private static long onlineCpus() {
		try {
			return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter((line) -> line.startsWith("processor")).count();
		}
		catch (IOException ex) {
			return -1;
		}
	}

}
