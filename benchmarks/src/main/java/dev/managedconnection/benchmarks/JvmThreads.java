package dev.managedconnection.benchmarks;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

import com.sun.management.OperatingSystemMXBean;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of the CPU time and context switches of every thread of this JVM (JIT and GC
 * threads included), from {@code /proc/self/task/<tid>/schedstat} and {@code status}.
 * <p>
 * The CPU time comes from {@code /proc} rather than
 * {@link OperatingSystemMXBean#getProcessCpuTime()} because on Linux the latter counts in
 * clock ticks of 10 ms, too coarse for windows of a fraction of a second; the MXBean is the
 * fallback where {@code /proc} is missing. Threads come and go (HikariCP's helpers, JIT compiler
 * threads), so the difference of two snapshots sums the growth of each thread, counting a
 * thread that appeared in between from zero; a thread that ended in between is lost, which the
 * benchmark's own threads never do inside a window.
 */
final class JvmThreads {

	private static final File TASKS = new File("/proc/self/task");

	private static final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory
		.getOperatingSystemMXBean();

	private final Map<String, long[]> perThread;

	private final long processCpuNanos;

	private JvmThreads(Map<String, long[]> perThread, long processCpuNanos) {
		this.perThread = perThread;
		this.processCpuNanos = processCpuNanos;
	}

	/**
	 * Take a snapshot.
	 * @return the snapshot
	 */
	static JvmThreads snapshot() {
		Map<String, long[]> perThread = new HashMap<>();
		String[] tasks = TASKS.list();
		if (tasks != null) {
			for (String task : tasks) {
				long[] stats = read(new File(TASKS, task));
				if (stats != null) {
					perThread.put(task, stats);
				}
			}
		}
		return new JvmThreads(perThread, os.getProcessCpuTime());
	}

	/**
	 * Return the CPU time used by this JVM since an earlier snapshot.
	 * @param earlier the earlier snapshot
	 * @return the CPU time in nanoseconds
	 */
	long cpuNanosSince(JvmThreads earlier) {
		if (this.perThread.isEmpty()) {
			return this.processCpuNanos - earlier.processCpuNanos;
		}
		return growth(earlier, 0);
	}

	/**
	 * Return the voluntary and involuntary context switches of this JVM's threads since an earlier snapshot.
	 * @param earlier the earlier snapshot
	 * @return the count, or -1 if unknown
	 */
	long contextSwitchesSince(JvmThreads earlier) {
		return this.perThread.isEmpty() ? -1 : growth(earlier, 1);
	}

	private long growth(JvmThreads earlier, int index) {
		long sum = 0;
		for (Map.Entry<String, long[]> thread : this.perThread.entrySet()) {
			long[] before = earlier.perThread.get(thread.getKey());
			long now = thread.getValue()[index];
			long then = (before != null) ? before[index] : 0;
			// A smaller value means the thread id was reused by a new thread.
			sum += (now >= then) ? now - then : now;
		}
		return sum;
	}

	private static long @Nullable [] read(File task) {
		try {
			String schedstat = Files.readString(new File(task, "schedstat").toPath());
			long cpu = Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
			long switches = 0;
			for (String line : Files.readAllLines(new File(task, "status").toPath())) {
				if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
					switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
				}
			}
			return new long[] { cpu, switches };
		}
		catch (IOException | RuntimeException ex) {
			// The thread ended meanwhile, or there is no schedstat.
			return null;
		}
	}

}
