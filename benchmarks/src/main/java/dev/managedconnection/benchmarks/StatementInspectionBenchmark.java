package dev.managedconnection.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import dev.managedconnection.ManagedConnection;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What preparing a statement through the managed connection's handle costs as the SQL grows,
 * without I/O: the handle reads the SQL of every statement to decide whether the session needs
 * a {@code DISCARD ALL} on release. {@code managedPrepare} runs one scope that prepares and
 * closes a statement (pgjdbc prepares lazily, so nothing is sent); {@code rawPrepare} does the
 * same on a plain pgjdbc connection, whose own SQL parsing is cached per SQL text.
 * {@code managedPrepareNewText} cycles through more texts of the same length than the handle
 * remembers verdicts for, so that nearly every statement is judged afresh: the cost of the
 * judgement itself. They are fewer than pgjdbc caches parsed SQL for (256 by default), so that its
 * parsing stays out of the numbers.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-XX:ActiveProcessorCount=2", "-Xms512m", "-Xmx512m" })
@State(Scope.Benchmark)
public class StatementInspectionBenchmark {

	// A query with nothing that may change the session, repeated to the wanted length.
	private static final String CLAUSE = "SELECT e.id, e.account_id, e.amount, e.created_at FROM ledger_entry e"
			+ " WHERE e.account_id = ? AND e.created_at > ? UNION ALL ";

	@Param({ "64", "512", "4096" })
	int sqlLength;

	/** Many more than the 64 verdicts the managed connection remembers, fewer than pgjdbc's 256. */
	private static final int TEXTS = 200;

	private String sql;

	private String[] texts;

	private int next;

	private ManagedConnection managed;

	private Connection connection;

	@Setup(Level.Trial)
	public void open() throws SQLException {
		StringBuilder builder = new StringBuilder("SELECT 1");
		while (builder.length() < this.sqlLength) {
			builder.insert(0, CLAUSE);
		}
		this.sql = builder.toString();
		// Same length and shape as the SQL, told apart by its first characters so that telling
		// them apart costs little.
		this.texts = new String[TEXTS];
		for (int i = 0; i < TEXTS; i++) {
			this.texts[i] = "SELECT " + (100 + i) + "," + this.sql.substring("SELECT".length());
		}
		Database database = Database.fromEnvironment(System.getenv());
		this.managed = ManagedConnection.builder()
			.url(database.url())
			.username(database.username())
			.password(database.password())
			.applicationName("mc-bench-jmh-statements")
			.autoCommit(true)
			.build();
		this.managed.execute((connection) -> {
			Workload.selectOne(connection);
			return null;
		});
		this.connection = database.connect("mc-bench-jmh-statements-raw", true);
	}

	@TearDown(Level.Trial)
	public void close() throws SQLException {
		this.managed.close();
		this.connection.close();
	}

	@Benchmark
	public Object managedPrepare() throws SQLException {
		String text = this.sql;
		return this.managed.execute((connection) -> {
			PreparedStatement statement = connection.prepareStatement(text);
			statement.close();
			return statement;
		});
	}

	@Benchmark
	public Object managedPrepareNewText() throws SQLException {
		String text = this.texts[this.next];
		this.next = (this.next + 1) % TEXTS;
		return this.managed.execute((connection) -> {
			PreparedStatement statement = connection.prepareStatement(text);
			statement.close();
			return statement;
		});
	}

	@Benchmark
	public Object rawPrepare() throws SQLException {
		PreparedStatement statement = this.connection.prepareStatement(this.sql);
		statement.close();
		return statement;
	}

}
