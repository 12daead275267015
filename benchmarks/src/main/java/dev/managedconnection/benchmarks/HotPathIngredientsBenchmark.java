package dev.managedconnection.benchmarks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.postgresql.core.BaseConnection;

/**
 * What the ingredients of {@link UncontendedAcquireBenchmark}'s hot path cost on this machine,
 * one at a time: reading the monotonic clock, a volatile write, the fair lock, the pgjdbc
 * state reads the release makes, creating a {@link Proxy} connection handle and calling through
 * one. The sum explains the hot path's time; each line says what removing an ingredient would save.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-XX:ActiveProcessorCount=2", "-Xms512m", "-Xmx512m" })
@State(Scope.Benchmark)
public class HotPathIngredientsBenchmark {

	private static final Class<?>[] CONNECTION_TYPES = { Connection.class };

	private final ReentrantLock fairLock = new ReentrantLock(true);

	private volatile Thread holder;

	private Connection connection;

	private BaseConnection pgConnection;

	private InvocationHandler handler;

	/** As the core's JdbcProxies does: the proxy class's constructor, looked up once, a constant. */
	private static final MethodHandle PROXY_CONSTRUCTOR = proxyConstructor();

	private Connection proxy;

	@Setup(Level.Trial)
	public void open() throws SQLException {
		this.connection = Database.fromEnvironment(System.getenv()).connect("mc-bench-jmh-ingredients", true);
		this.pgConnection = this.connection.unwrap(BaseConnection.class);
		Connection target = this.connection;
		this.handler = (proxy, method, args) -> {
			try {
				return method.invoke(target, args);
			}
			catch (InvocationTargetException ex) {
				throw ex.getTargetException();
			}
		};
		this.proxy = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), CONNECTION_TYPES, this.handler);
	}

	private static MethodHandle proxyConstructor() {
		Class<?> proxyClass = Proxy
			.newProxyInstance(HotPathIngredientsBenchmark.class.getClassLoader(), CONNECTION_TYPES,
					(proxy, method, args) -> null)
			.getClass();
		try {
			return MethodHandles.publicLookup()
				.findConstructor(proxyClass, MethodType.methodType(void.class, InvocationHandler.class))
				.asType(MethodType.methodType(Object.class, InvocationHandler.class));
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	@TearDown(Level.Trial)
	public void close() throws SQLException {
		this.connection.close();
	}

	@Benchmark
	public long nanoTime() {
		return System.nanoTime();
	}

	@Benchmark
	public void volatileWrite() {
		this.holder = Thread.currentThread();
	}

	@Benchmark
	public boolean fairTryLockZeroThenUnlock() throws InterruptedException {
		boolean locked = this.fairLock.tryLock(0, TimeUnit.NANOSECONDS);
		this.fairLock.unlock();
		return locked;
	}

	@Benchmark
	public boolean isHeldByCurrentThread() {
		return this.fairLock.isHeldByCurrentThread();
	}

	@Benchmark
	public boolean pgjdbcIsClosed() {
		return this.pgConnection.getQueryExecutor().isClosed();
	}

	@Benchmark
	public Object pgjdbcTransactionState() {
		return this.pgConnection.getTransactionState();
	}

	@Benchmark
	public Object newProxyConnection() {
		return Proxy.newProxyInstance(HotPathIngredientsBenchmark.class.getClassLoader(), CONNECTION_TYPES,
				this.handler);
	}

	@Benchmark
	public Object newProxyConnectionThroughConstructorHandle() throws Throwable {
		return (Object) PROXY_CONSTRUCTOR.invokeExact(this.handler);
	}

	@Benchmark
	public boolean directCall() throws SQLException {
		return this.connection.getAutoCommit();
	}

	@Benchmark
	public boolean callThroughProxy() throws SQLException {
		return this.proxy.getAutoCommit();
	}

	@Benchmark
	public boolean callWithArgumentThroughProxy() throws SQLException {
		return this.proxy.isWrapperFor(BaseConnection.class);
	}

	@Benchmark
	public boolean directCallWithArgument() throws SQLException {
		return this.connection.isWrapperFor(BaseConnection.class);
	}

}
