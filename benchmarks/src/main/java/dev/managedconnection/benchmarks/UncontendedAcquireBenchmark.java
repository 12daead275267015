package dev.managedconnection.benchmarks;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import dev.managedconnection.ConnectionCallback;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ScopeOptions;
import dev.managedconnection.annotation.ExclusiveConnection;
import dev.managedconnection.annotation.ExclusiveConnectionBeanPostProcessor;
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

import org.springframework.context.support.GenericApplicationContext;

/**
 * The uncontended hot path of {@link ManagedConnection} without I/O, on one thread: acquire,
 * verify and release a connection that was used moments ago, so that verification is the
 * in-memory check and no round trip (the previous operation released it microseconds before).
 * <p>
 * There is no database-free {@code ManagedConnection}: the trial setup opens a real connection
 * to the server given by the {@code PG*} environment variables and runs one {@code SELECT 1};
 * the measured methods send nothing to it ({@code createStatement()} and closing a statement
 * are local in pgjdbc). Run with {@code -prof gc} for the bytes allocated per operation.
 * <ul>
 * <li>{@code acquireRelease}: {@code acquire(ScopeOptions.DEFAULT)} then {@code release()}, what
 * the {@code @ExclusiveConnection} interceptor does around a method, without asking for the
 * connection.
 * <li>{@code execute}: {@code execute(callback)} with a callback that does nothing (it is handed
 * the connection).
 * <li>{@code executeWithStatement}: {@code execute} with a callback that creates and closes a
 * statement: the cost the handle adds to each statement, still without a round trip.
 * <li>{@code annotated}: a call of an {@code @ExclusiveConnection} bean method that does nothing,
 * through its class-based proxy: the interceptor's cost on top of {@code acquireRelease}.
 * <li>{@code annotatedWithConnection}: the same, with the method asking for
 * {@code currentConnection()}.
 * <li>{@code rawStatement}: creating and closing a statement on a plain pgjdbc connection, to
 * subtract from {@code executeWithStatement}.
 * <li>{@code fairLock}: lock and unlock of a fair {@code ReentrantLock}, the floor.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-XX:ActiveProcessorCount=2", "-Xms512m", "-Xmx512m" })
public class UncontendedAcquireBenchmark {

	private static final ConnectionCallback<Void> NOTHING = (connection) -> null;

	private static final ConnectionCallback<Void> CREATE_STATEMENT = (connection) -> {
		Statement statement = connection.createStatement();
		statement.close();
		return null;
	};

	@Benchmark
	public void acquireRelease(ManagedState state) throws SQLException {
		state.managed.acquire(ScopeOptions.DEFAULT);
		state.managed.release();
	}

	@Benchmark
	public Object execute(ManagedState state) throws SQLException {
		return state.managed.execute(NOTHING);
	}

	@Benchmark
	public Object executeWithStatement(ManagedState state) throws SQLException {
		return state.managed.execute(CREATE_STATEMENT);
	}

	@Benchmark
	public void annotated(AnnotatedState state) {
		state.bean.nothing();
	}

	@Benchmark
	public Connection annotatedWithConnection(AnnotatedState state) {
		return state.bean.connection();
	}

	@Benchmark
	public Statement rawStatement(RawState state) throws SQLException {
		Statement statement = state.connection.createStatement();
		statement.close();
		return statement;
	}

	@Benchmark
	public boolean fairLock(LockState state) {
		state.lock.lock();
		try {
			return state.lock.isHeldByCurrentThread();
		}
		finally {
			state.lock.unlock();
		}
	}

	/**
	 * One managed connection, opened and used once before measuring.
	 */
	@State(Scope.Benchmark)
	public static class ManagedState {

		@Param({ "true", "false" })
		boolean fair;

		ManagedConnection managed;

		@Setup(Level.Trial)
		public void open() throws SQLException {
			Database database = Database.fromEnvironment(System.getenv());
			this.managed = ManagedConnection.builder()
				.url(database.url())
				.username(database.username())
				.password(database.password())
				.applicationName("mc-bench-jmh")
				.fair(this.fair)
				.autoCommit(true)
				.build();
			this.managed.execute(ManagedState::selectOne);
		}

		private static Void selectOne(Connection connection) throws SQLException {
			Workload.selectOne(connection);
			return null;
		}

		@TearDown(Level.Trial)
		public void close() {
			this.managed.close();
		}

	}

	/**
	 * A managed connection and an annotated bean in the smallest application context that
	 * applies the annotation as the auto-configuration does.
	 */
	@State(Scope.Benchmark)
	public static class AnnotatedState {

		ManagedConnection managed;

		GenericApplicationContext context;

		AnnotatedBean bean;

		@Setup(Level.Trial)
		public void open() throws SQLException {
			Database database = Database.fromEnvironment(System.getenv());
			this.managed = ManagedConnection.builder()
				.url(database.url())
				.username(database.username())
				.password(database.password())
				.applicationName("mc-bench-jmh-annotated")
				.autoCommit(true)
				.build();
			this.managed.execute(ManagedState::selectOne);
			this.context = new GenericApplicationContext();
			this.context.registerBean(ExclusiveConnectionBeanPostProcessor.class, () -> {
				ExclusiveConnectionBeanPostProcessor postProcessor = new ExclusiveConnectionBeanPostProcessor(
						() -> this.managed);
				postProcessor.setProxyTargetClass(true);
				return postProcessor;
			});
			this.context.registerBean(AnnotatedBean.class, () -> new AnnotatedBean(this.managed));
			this.context.refresh();
			this.bean = this.context.getBean(AnnotatedBean.class);
		}

		@TearDown(Level.Trial)
		public void close() {
			this.context.close();
			this.managed.close();
		}

	}

	/**
	 * The annotated bean.
	 */
	public static class AnnotatedBean {

		private final ManagedConnection managed;

		AnnotatedBean(ManagedConnection managed) {
			this.managed = managed;
		}

		@ExclusiveConnection
		public void nothing() {
		}

		@ExclusiveConnection
		public Connection connection() {
			return this.managed.currentConnection();
		}

	}

	/**
	 * A plain pgjdbc connection.
	 */
	@State(Scope.Benchmark)
	public static class RawState {

		Connection connection;

		@Setup(Level.Trial)
		public void open() throws SQLException {
			this.connection = Database.fromEnvironment(System.getenv()).connect("mc-bench-jmh-raw", true);
		}

		@TearDown(Level.Trial)
		public void close() throws SQLException {
			this.connection.close();
		}

	}

	/**
	 * A fair lock, the floor under any exclusive access.
	 */
	@State(Scope.Benchmark)
	public static class LockState {

		final ReentrantLock lock = new ReentrantLock(true);

	}

}
