package dev.managedconnection.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.sun.security.auth.module.UnixSystem;
import org.jspecify.annotations.Nullable;

/**
 * A private PgBouncer in transaction pooling mode on a free loopback port in front of a
 * PostgreSQL server, with its admin console for {@code RECONNECT} and {@code KILL}.
 * <p>
 * Uses the {@code pgbouncer} binary on the {@code PATH} ({@code .ci/run} installs Debian's package); test
 * classes that start one are {@link RequiresPgBouncer}.
 * PgBouncer refuses to run as root, so as root it runs in a user namespace
 * ({@code unshare -U}), as zonky's embedded PostgreSQL does. Clients authenticate with trust;
 * PgBouncer logs in to the server as the client's user.
 */
public final class TestPgBouncer implements AutoCloseable {

	/**
	 * The user allowed on the admin console (database {@code pgbouncer}).
	 */
	public static final String ADMIN_USER = "postgres";

	private static final long START_TIMEOUT_MILLIS = 10_000;

	private final Path directory;

	private final Process process;

	private final int port;

	private TestPgBouncer(Path directory, Process process, int port) {
		this.directory = directory;
		this.process = process;
		this.port = port;
	}

	/**
	 * Start PgBouncer in transaction pooling mode in front of the given server.
	 * @param host the server host
	 * @param port the server port
	 * @param poolSize the number of server connections per database and user
	 * @return the running PgBouncer; close it when done
	 */
	public static TestPgBouncer start(String host, int port, int poolSize) {
		Path directory = null;
		try {
			String binary = binary();
			directory = Files.createTempDirectory("test-pgbouncer-");
			int listenPort = freePort();
			Path config = directory.resolve("pgbouncer.ini");
			Files.writeString(directory.resolve("users.txt"), "\"" + ADMIN_USER + "\" \"\"\n", StandardCharsets.UTF_8);
			Files.writeString(config, configuration(directory, host, port, listenPort, poolSize, version(binary)),
					StandardCharsets.UTF_8);
			List<String> command = new ArrayList<>();
			if (new UnixSystem().getUid() == 0) {
				command.addAll(List.of("unshare", "-U"));
			}
			command.addAll(List.of(binary, config.toString()));
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(directory.resolve("console.log").toFile())
				.start();
			TestPgBouncer pgBouncer = new TestPgBouncer(directory, process, listenPort);
			pgBouncer.awaitListening();
			return pgBouncer;
		}
		catch (IOException ex) {
			if (directory != null) {
				delete(directory);
			}
			throw new UncheckedIOException("Could not start PgBouncer", ex);
		}
	}

	/**
	 * Return PgBouncer's version as {@code {major, minor}}.
	 * @return the version
	 */
	public static int[] version() {
		return version(binary());
	}

	private static String configuration(Path directory, String host, int port, int listenPort, int poolSize,
			int[] version) {
		StringBuilder config = new StringBuilder();
		config.append("[databases]\n");
		config.append("* = host=").append(host).append(" port=").append(port).append('\n');
		config.append("[pgbouncer]\n");
		config.append("listen_addr = 127.0.0.1\n");
		config.append("listen_port = ").append(listenPort).append('\n');
		config.append("unix_socket_dir =\n");
		config.append("auth_type = trust\n");
		config.append("auth_file = ").append(directory.resolve("users.txt")).append('\n');
		config.append("admin_users = ").append(ADMIN_USER).append('\n');
		config.append("pool_mode = transaction\n");
		config.append("default_pool_size = ").append(poolSize).append('\n');
		config.append("max_client_conn = 100\n");
		// pgjdbc sends extra_float_digits in its startup packet.
		config.append("ignore_startup_parameters = extra_float_digits\n");
		config.append("server_login_retry = 1\n");
		config.append("logfile = ").append(directory.resolve("pgbouncer.log")).append('\n');
		config.append("pidfile = ").append(directory.resolve("pgbouncer.pid")).append('\n');
		if (version[0] > 1 || version[1] >= 21) {
			// Newer PgBouncers can track prepared statements; keep the classic behaviour the
			// documentation (prepareThreshold=0) is about.
			config.append("max_prepared_statements = 0\n");
		}
		return config.toString();
	}

	private static String binary() {
		String binary = findBinary();
		if (binary == null) {
			throw new IllegalStateException(PgBouncerCondition.MISSING);
		}
		return binary;
	}

	/**
	 * Return the {@code pgbouncer} binary on the {@code PATH}, if there is one.
	 * @return the binary's path, or {@code null}
	 */
	static @Nullable String findBinary() {
		String path = System.getenv("PATH");
		if (path == null) {
			return null;
		}
		for (String entry : path.split(java.io.File.pathSeparator)) {
			Path candidate = Path.of(entry, "pgbouncer");
			if (!entry.isEmpty() && Files.isExecutable(candidate)) {
				return candidate.toString();
			}
		}
		return null;
	}

	private static int[] version(String binary) {
		try {
			Process process = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly();
			}
			Matcher matcher = Pattern.compile("PgBouncer (\\d+)\\.(\\d+)").matcher(output);
			if (!matcher.find()) {
				throw new IllegalStateException("Unexpected 'pgbouncer --version' output: " + output);
			}
			return new int[] { Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)) };
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while asking PgBouncer's version", ex);
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private void awaitListening() throws IOException {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				String log = log();
				delete(this.directory);
				throw new IllegalStateException("PgBouncer exited with " + this.process.exitValue() + ": " + log);
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", this.port), 1_000);
				return;
			}
			catch (IOException ex) {
				// Not listening yet.
			}
			try {
				this.process.waitFor(50, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				close();
				throw new IllegalStateException("Interrupted while starting PgBouncer", ex);
			}
		}
		String log = log();
		close();
		throw new IllegalStateException("PgBouncer did not listen within " + START_TIMEOUT_MILLIS + " ms: " + log);
	}

	/**
	 * Return the loopback port PgBouncer listens on.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Return a JDBC URL for the given database through PgBouncer, without any parameter.
	 * @param database the database name
	 * @return the JDBC URL
	 */
	public String url(String database) {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + database;
	}

	/**
	 * Run an admin console command, such as {@code RECONNECT app} or {@code SHOW POOLS}, and
	 * return the rows it answers.
	 * <p>
	 * The console speaks only the simple query protocol and reports PgBouncer's version as the
	 * server version, which pgjdbc answers with {@code SET} commands the console rejects; so
	 * this speaks the few protocol messages it needs itself.
	 * @param command the command
	 * @return the rows, each a map from column name to text value
	 */
	public List<Map<String, String>> admin(String command) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 5_000);
			socket.setSoTimeout(30_000);
			DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
			DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
			byte[] startup = ("user\0" + ADMIN_USER + "\0database\0pgbouncer\0\0").getBytes(StandardCharsets.UTF_8);
			out.writeInt(8 + startup.length);
			out.writeInt(196608);
			out.write(startup);
			out.flush();
			readUntilReady(in, command, null);
			byte[] query = (command + "\0").getBytes(StandardCharsets.UTF_8);
			out.writeByte('Q');
			out.writeInt(4 + query.length);
			out.write(query);
			out.flush();
			List<Map<String, String>> rows = new ArrayList<>();
			readUntilReady(in, command, rows);
			out.writeByte('X');
			out.writeInt(4);
			out.flush();
			return rows;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("PgBouncer admin command '" + command + "' failed", ex);
		}
	}

	private static void readUntilReady(DataInputStream in, String command, @Nullable List<Map<String, String>> rows)
			throws IOException {
		List<String> columns = new ArrayList<>();
		String error = null;
		while (true) {
			byte type = in.readByte();
			byte[] body = new byte[in.readInt() - 4];
			in.readFully(body);
			ByteBuffer buffer = ByteBuffer.wrap(body);
			switch (type) {
				case 'R' -> {
					if (buffer.getInt() != 0) {
						throw new IllegalStateException("PgBouncer's admin console asked for a password");
					}
				}
				case 'E' -> error = errorMessage(buffer);
				case 'T' -> {
					columns.clear();
					int count = buffer.getShort();
					for (int i = 0; i < count; i++) {
						columns.add(cString(buffer));
						buffer.position(buffer.position() + 18);
					}
				}
				case 'D' -> {
					Map<String, String> row = new LinkedHashMap<>();
					int count = buffer.getShort();
					for (int i = 0; i < count; i++) {
						int length = buffer.getInt();
						String value = null;
						if (length >= 0) {
							value = new String(body, buffer.position(), length, StandardCharsets.UTF_8);
							buffer.position(buffer.position() + length);
						}
						row.put(columns.get(i), value);
					}
					if (rows != null) {
						rows.add(row);
					}
				}
				case 'Z' -> {
					if (error != null) {
						throw new IllegalStateException("PgBouncer admin command '" + command + "' failed: " + error);
					}
					return;
				}
				default -> {
					// Parameter status, backend key data, notices and command tags are not needed.
				}
			}
		}
	}

	private static String errorMessage(ByteBuffer buffer) {
		String message = "";
		byte field;
		while ((field = buffer.get()) != 0) {
			String value = cString(buffer);
			if (field == 'M') {
				message = value;
			}
		}
		return message;
	}

	private static String cString(ByteBuffer buffer) {
		int start = buffer.position();
		while (buffer.get() != 0) {
			// Find the terminating zero byte.
		}
		return new String(buffer.array(), start, buffer.position() - start - 1, StandardCharsets.UTF_8);
	}

	/**
	 * Close the server connections of a database gracefully: each as soon as the client using it
	 * ends its transaction ({@code RECONNECT}). Clients keep their PgBouncer connections.
	 * @param database the database name
	 */
	public void reconnect(String database) {
		admin("RECONNECT " + database);
	}

	/**
	 * Drop every client and server connection of a database at once ({@code KILL}), then let new
	 * connections in again ({@code RESUME}).
	 * @param database the database name
	 */
	public void kill(String database) {
		admin("KILL " + database);
		admin("RESUME " + database);
	}

	/**
	 * Return PgBouncer's log so far, for failure messages.
	 * @return the log
	 */
	public String log() {
		try {
			Path log = this.directory.resolve("pgbouncer.log");
			Path console = this.directory.resolve("console.log");
			return (Files.exists(console) ? Files.readString(console) : "")
					+ (Files.exists(log) ? Files.readString(log) : "");
		}
		catch (IOException ex) {
			return "(log unreadable: " + ex + ")";
		}
	}

	@Override
	public void close() {
		// SIGTERM: immediate shutdown, without waiting for clients.
		this.process.destroy();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
		delete(this.directory);
	}

	@Override
	public String toString() {
		return "TestPgBouncer[127.0.0.1:" + this.port + "]";
	}

	private static void delete(Path directory) {
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// Left in the temporary directory; nothing runs there any more.
		}
	}

}
