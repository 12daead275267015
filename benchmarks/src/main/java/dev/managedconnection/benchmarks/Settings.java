package dev.managedconnection.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * How long and what the {@link ThroughputBenchmark} measures: a mode ({@code quick},
 * {@code full} or {@code web}) gives the defaults, options override them.
 *
 * @param mode the mode name
 * @param rounds the measured rounds, after one discarded warm-up round
 * @param warmIn how long each platform-thread run goes before its window opens
 * @param window the measurement window of platform-thread runs
 * @param virtualWarmIn how long each virtual-thread run goes before its window opens (long
 * enough for every thread to have queued for the connection at least once)
 * @param virtualWindow the measurement window of virtual-thread runs (longer: each of the many
 * threads needs enough operations for fairness to mean something)
 * @param platformThreads the platform thread counts
 * @param virtualThreads the virtual thread count, 0 for none
 * @param candidates the configurations besides RAW
 * @param workloads the workloads
 * @param rawEvery how many configurations run between two RAW runs
 * @param seed the seed of the shuffles
 * @param pinBackends whether to pin the backends to the CPUs of this JVM
 * @param csv where to write every measurement, or {@code null}
 * @param webOutsideMicros the web workload's CPU work before the scope
 * @param webInsideMicros the web workload's CPU work after each statement
 */
record Settings(String mode, int rounds, Duration warmIn, Duration window, Duration virtualWarmIn, Duration virtualWindow,
		List<Integer> platformThreads, int virtualThreads, List<Candidate> candidates, List<Workload> workloads,
		int rawEvery, long seed, boolean pinBackends, @Nullable Path csv, long webOutsideMicros, long webInsideMicros) {

	/**
	 * The web mode's configurations: the lock's orders side by side with HikariCP's one connection.
	 */
	static final List<Candidate> WEB_CANDIDATES = List.of(Candidate.MANAGED_FIFO, Candidate.MANAGED_BYPASS_2,
			Candidate.MANAGED_BYPASS_8, Candidate.MANAGED_UNFAIR, Candidate.HIKARI_1);

	static final String USAGE = """
			Usage: ThroughputBenchmark [quick|full|web] [options]
			  (web: the web workload at 16 threads, MANAGED-FIFO, -BYPASS-2, -BYPASS-8, -UNFAIR and HIKARI-1, 5 rounds)
			  --rounds N              measured rounds after the warm-up round (quick 3, full 5)
			  --warm-in-ms N          unrecorded run before each platform-thread window (quick 80, full 1000)
			  --window-ms N           window of platform-thread runs (quick 150, full 1500)
			  --virtual-warm-in-ms N  unrecorded run before each virtual-thread window (quick 200, full 1000)
			  --virtual-window-ms N   window of virtual-thread runs (quick 600, full 4000)
			  --threads 1,4,16,64     platform thread counts
			  --virtual-threads N     virtual threads, 0 for none (1000; needs Java 21+)
			  --candidates A,B        configurations besides RAW (all but the diagnostic LOCK-FAIR-TIMED)
			  --workloads a,b,c       autocommit, commit and/or web (a and b; web mode c)
			  --web-outside-us N      web workload: CPU work before the scope (200)
			  --web-inside-us N       web workload: CPU work after each statement in the scope (20)
			  --raw-every N           configurations between two RAW runs (3)
			  --seed N                seed of the shuffles (random)
			  --no-pin                do not pin the backends to this JVM's CPUs
			  --csv FILE              also write every measurement to FILE
			""";

	static Settings parse(String[] args) {
		if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
			throw new IllegalArgumentException(USAGE);
		}
		boolean web = args.length > 0 && args[0].equals("web");
		boolean full = web || args.length > 0 && args[0].equals("full");
		boolean positional = args.length > 0 && (full || args[0].equals("quick"));
		String mode = web ? "web" : full ? "full" : "quick";
		int rounds = full ? 5 : 3;
		Duration warmIn = Duration.ofMillis(full ? 1000 : 80);
		Duration window = Duration.ofMillis(web ? 3000 : full ? 1500 : 150);
		Duration virtualWarmIn = Duration.ofMillis(full ? 1000 : 200);
		Duration virtualWindow = Duration.ofMillis(full ? 4000 : 600);
		List<Integer> platformThreads = web ? List.of(16) : List.of(1, 4, 16, 64);
		int virtualThreads = web ? 0 : 1000;
		List<Candidate> candidates = web ? WEB_CANDIDATES
				: Arrays.stream(Candidate.values())
					.filter((candidate) -> candidate != Candidate.RAW && candidate.byDefault())
					.toList();
		List<Workload> workloads = web ? List.of(Workload.WEB) : List.of(Workload.AUTOCOMMIT, Workload.COMMIT);
		long webOutsideMicros = 200;
		long webInsideMicros = 20;
		int rawEvery = 3;
		long seed = System.nanoTime();
		boolean pin = true;
		Path csv = null;
		for (int i = positional ? 1 : 0; i < args.length; i++) {
			String option = args[i];
			if (option.equals("--no-pin")) {
				pin = false;
				continue;
			}
			if (i + 1 >= args.length) {
				throw new IllegalArgumentException("Option '" + option + "' needs a value\n" + USAGE);
			}
			String value = args[++i];
			switch (option) {
				case "--rounds" -> rounds = Integer.parseInt(value);
				case "--warm-in-ms" -> warmIn = Duration.ofMillis(Long.parseLong(value));
				case "--window-ms" -> window = Duration.ofMillis(Long.parseLong(value));
				case "--virtual-warm-in-ms" -> virtualWarmIn = Duration.ofMillis(Long.parseLong(value));
				case "--virtual-window-ms" -> virtualWindow = Duration.ofMillis(Long.parseLong(value));
				case "--threads" -> platformThreads = Arrays.stream(value.split(",")).map(Integer::valueOf).toList();
				case "--virtual-threads" -> virtualThreads = Integer.parseInt(value);
				case "--candidates" -> candidates = Arrays.stream(value.split(","))
					.map(Candidate::of)
					.filter((candidate) -> candidate != Candidate.RAW)
					.distinct()
					.toList();
				case "--workloads" -> workloads = Arrays.stream(value.split(",")).map(Settings::workload).distinct().toList();
				case "--raw-every" -> rawEvery = Integer.parseInt(value);
				case "--seed" -> seed = Long.parseLong(value);
				case "--csv" -> csv = Path.of(value);
				case "--web-outside-us" -> webOutsideMicros = Long.parseLong(value);
				case "--web-inside-us" -> webInsideMicros = Long.parseLong(value);
				default -> throw new IllegalArgumentException("Unknown option '" + option + "'\n" + USAGE);
			}
		}
		if (rounds < 1 || rawEvery < 1) {
			throw new IllegalArgumentException("--rounds and --raw-every must be at least 1");
		}
		return new Settings(mode, rounds, warmIn, window, virtualWarmIn, virtualWindow, platformThreads, virtualThreads, candidates,
				workloads, rawEvery, seed, pin, csv, webOutsideMicros, webInsideMicros);
	}

	private static Workload workload(String name) {
		return switch (name.trim().toLowerCase(Locale.ROOT)) {
			case "a", "autocommit" -> Workload.AUTOCOMMIT;
			case "b", "commit" -> Workload.COMMIT;
			case "c", "web" -> Workload.WEB;
			default -> throw new IllegalArgumentException("Unknown workload '" + name + "'");
		};
	}

	String describe() {
		String web = !this.workloads.contains(Workload.WEB) ? ""
				: String.format(Locale.ROOT, "; web requests burn %d µs of CPU before the scope and %d µs after each statement",
						this.webOutsideMicros, this.webInsideMicros);
		return String.format(Locale.ROOT,
				"%s mode: median of %d rounds after a discarded warm-up round (with half-length windows); each run %d ms"
						+ " warm-in, then a %d ms window (virtual threads: %d ms, then %d ms); configurations shuffled"
						+ " every round with RAW after every %d; seed %d%s",
				this.mode, this.rounds, this.warmIn.toMillis(), this.window.toMillis(), this.virtualWarmIn.toMillis(),
				this.virtualWindow.toMillis(), this.rawEvery, this.seed, web);
	}

}
