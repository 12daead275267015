package dev.managedconnection.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL server processes ("backends") serving a benchmark's connections: finds them by
 * {@code application_name} over a monitor connection of its own, pins them to the CPUs the
 * harness itself is pinned to ({@code taskset -pc}), and reads their CPU time from {@code /proc}.
 * The server must run on this machine for pinning and CPU time; without them the harness still
 * measures throughput and says so.
 */
final class Backends implements AutoCloseable {

	private static final long NANOS_PER_TICK = 10_000_000L;

	private final Connection monitor;

	private final @Nullable String cpus;

	private final String serverVersion;

	private boolean allPinned = true;

	private boolean cpuReadable = true;

	/**
	 * Open the monitor connection.
	 * @param database the server
	 * @param cpus the CPU list to pin backends to ({@code taskset} syntax), or {@code null} not to pin
	 * @throws SQLException if it cannot connect
	 */
	Backends(Database database, @Nullable String cpus) throws SQLException {
		this.monitor = database.connect("mc-bench-monitor", true);
		this.cpus = cpus;
		this.serverVersion = this.monitor.getMetaData().getDatabaseProductVersion();
	}

	/**
	 * Return the CPUs this JVM may run on, as {@code /proc/self/status} lists them.
	 * @return the CPU list, for example {@code 0} or {@code 0-1}, or {@code null} if unknown
	 */
	static @Nullable String ownCpus() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("Cpus_allowed_list:")) {
					return line.substring("Cpus_allowed_list:".length()).trim();
				}
			}
		}
		catch (IOException ex) {
			// Not Linux: nothing to pin to.
		}
		return null;
	}

	String serverVersion() {
		return this.serverVersion;
	}

	@Nullable String cpus() {
		return this.cpus;
	}

	boolean allPinned() {
		return this.cpus != null && this.allPinned;
	}

	boolean cpuReadable() {
		return this.cpuReadable;
	}

	/**
	 * Find the server processes of every connection carrying the given application name, and pin them.
	 * @param applicationName the application name
	 * @return their process ids
	 * @throws SQLException on a database error
	 */
	List<Integer> findAndPin(String applicationName) throws SQLException {
		List<Integer> pids = new ArrayList<>();
		try (PreparedStatement statement = this.monitor
			.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
			statement.setString(1, applicationName);
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					pids.add(result.getInt(1));
				}
			}
		}
		if (pids.isEmpty()) {
			throw new IllegalStateException("No backend carries application_name '" + applicationName + "'");
		}
		if (this.cpus != null) {
			for (int pid : pids) {
				this.allPinned &= pin(pid, this.cpus);
			}
		}
		return pids;
	}

	private static boolean pin(int pid, String cpus) {
		try {
			Process taskset = new ProcessBuilder("taskset", "-pc", cpus, Integer.toString(pid))
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.redirectError(ProcessBuilder.Redirect.DISCARD)
				.start();
			return taskset.waitFor(10, TimeUnit.SECONDS) && taskset.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Return the CPU time the given processes have used so far, in nanoseconds: from
	 * {@code /proc/<pid>/schedstat} (nanosecond resolution) or else {@code /proc/<pid>/stat}
	 * (user plus system time in clock ticks of 10 ms).
	 * @param pids the process ids
	 * @return their summed CPU time, or 0 if it cannot be read
	 */
	long cpuNanos(List<Integer> pids) {
		long sum = 0;
		for (int pid : pids) {
			long nanos = cpuNanos(pid);
			if (nanos < 0) {
				this.cpuReadable = false;
				return 0;
			}
			sum += nanos;
		}
		return sum;
	}

	private static long cpuNanos(int pid) {
		try {
			String schedstat = Files.readString(Path.of("/proc", Integer.toString(pid), "schedstat"));
			return Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
		}
		catch (IOException | RuntimeException ex) {
			// Kernels without schedstat: fall back to the coarser stat.
		}
		try {
			String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
			// Fields after the command name, which is in parentheses and may contain spaces.
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
			return ticks * NANOS_PER_TICK;
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	@Override
	public void close() throws SQLException {
		this.monitor.close();
	}

}
