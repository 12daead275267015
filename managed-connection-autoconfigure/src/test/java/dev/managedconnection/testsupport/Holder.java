package dev.managedconnection.testsupport;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.managedconnection.ConnectionCallback;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ScopeOptions;
import org.jspecify.annotations.Nullable;

/**
 * A thread of its own that holds a {@link ManagedConnection} until the test releases it: so that
 * other threads wait, time out or find it busy.
 * <p>
 * The thread acquires the connection, runs the {@link Spec#first(String...) first} statements,
 * tells that it holds it, waits to be {@link #release() released} (at most {@link #HOLD_AT_MOST}),
 * runs the {@link Spec#then(ConnectionCallback) then} work and ends its scope. Close the holder
 * in a {@code try}-with-resources: {@link #close()} releases it, waits for the thread to end and
 * interrupts it if it does not.
 *
 * <pre class="code">
 * try (Holder holder = Holder.hold(managed, "slow-holder")) {
 * 	assertThatExceptionOfType(AcquireTimeoutException.class).isThrownBy(() -&gt; managed.execute(shortWait, work))
 * 		.withMessageContaining("held by thread 'slow-holder'");
 * }
 * </pre>
 */
public final class Holder implements AutoCloseable {

	/**
	 * How long a step of a holder may take: getting to hold the connection, ending once released.
	 */
	public static final Duration BOUND = Duration.ofSeconds(30);

	/**
	 * How long a holder holds the connection at the most when nobody releases it.
	 */
	public static final Duration HOLD_AT_MOST = Duration.ofSeconds(60);

	/**
	 * How long {@link #close()} lets a released holder end its scope before interrupting it.
	 */
	private static final Duration GRACE = Duration.ofSeconds(5);

	private final ManagedConnection managed;

	private final Spec spec;

	private final Thread thread;

	private final CompletableFuture<Void> holding = new CompletableFuture<>();

	private final CountDownLatch release = new CountDownLatch(1);

	private final CompletableFuture<@Nullable Object> result = new CompletableFuture<>();

	private volatile int backendPid = -1;

	private volatile boolean interruptedAfterScope;

	private Holder(ManagedConnection managed, Spec spec) {
		this.managed = managed;
		this.spec = spec;
		this.thread = new Thread(this::run, spec.threadName);
		this.thread.setDaemon(true);
	}

	/**
	 * Start a thread named {@code holder} that holds the connection, and return once it holds it.
	 * @param managed the managed connection
	 * @return the holder, holding the connection
	 */
	public static Holder hold(ManagedConnection managed) {
		return of(managed).hold();
	}

	/**
	 * Start a thread of the given name that holds the connection, and return once it holds it.
	 * @param managed the managed connection
	 * @param threadName the name of the holder's thread
	 * @return the holder, holding the connection
	 */
	public static Holder hold(ManagedConnection managed, String threadName) {
		return of(managed).named(threadName).hold();
	}

	/**
	 * Describe a holder of the given connection, to start with {@link Spec#hold()} or
	 * {@link Spec#start()}.
	 * @param managed the managed connection
	 * @return a new description
	 */
	public static Spec of(ManagedConnection managed) {
		return new Spec(managed);
	}

	private void run() {
		@Nullable Object value = null;
		@Nullable Throwable failure = null;
		try {
			value = this.managed.execute(this.spec.options, this::holdThenWork);
		}
		catch (Throwable ex) {
			failure = ex;
		}
		this.interruptedAfterScope = Thread.currentThread().isInterrupted();
		if (failure != null) {
			this.result.completeExceptionally(failure);
		}
		else {
			this.result.complete(value);
		}
	}

	private @Nullable Object holdThenWork(Connection connection) throws SQLException {
		if (!this.spec.first.isEmpty()) {
			try (Statement statement = connection.createStatement()) {
				for (String sql : this.spec.first) {
					statement.execute(sql);
				}
			}
		}
		this.backendPid = this.managed.state().backendPid();
		this.holding.complete(null);
		try {
			if (!this.release.await(HOLD_AT_MOST.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new SQLException(
						"The holder '" + this.spec.threadName + "' was not released within " + HOLD_AT_MOST);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SQLException("The holder '" + this.spec.threadName + "' was interrupted while holding", ex);
		}
		return (this.spec.then != null) ? this.spec.then.doInConnection(connection) : null;
	}

	/**
	 * Wait until the holder holds the connection, after its first statements.
	 * @return this holder
	 * @throws AssertionError if it ended without holding it, or did not hold it in time
	 */
	public Holder awaitHolding() {
		try {
			CompletableFuture.anyOf(this.holding, this.result).get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			throw new AssertionError("The holder '" + this.spec.threadName + "' failed before holding", ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new AssertionError("The holder '" + this.spec.threadName + "' did not hold within " + BOUND, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("Interrupted while waiting for the holder '" + this.spec.threadName + "'", ex);
		}
		if (!this.holding.isDone()) {
			throw new AssertionError("The holder '" + this.spec.threadName + "' ended without holding");
		}
		return this;
	}

	/**
	 * Return the server process of the connection as the holder found it once it held it.
	 * @return the backend PID, or {@code -1} before the holder held the connection
	 */
	public int backendPid() {
		return this.backendPid;
	}

	/**
	 * Return whether the holder's thread had its interrupt flag set when its scope had ended,
	 * once the {@link #result() result} is done.
	 * @return whether the thread was still interrupted after its scope
	 */
	public boolean interruptedAfterScope() {
		return this.interruptedAfterScope;
	}

	/**
	 * Return the holder's thread, to interrupt it or read its state.
	 * @return the thread
	 */
	public Thread thread() {
		return this.thread;
	}

	/**
	 * Let the holder go on: it runs its {@link Spec#then(ConnectionCallback) then} work, if any,
	 * and ends its scope. Released before it holds, it ends its scope as soon as it gets the
	 * connection, as a waiter does.
	 * @return this holder
	 */
	public Holder release() {
		this.release.countDown();
		return this;
	}

	/**
	 * Return how the holder's scope ended: with the value of its
	 * {@link Spec#then(ConnectionCallback) then} work ({@code null} without one) or with what it
	 * threw.
	 * @return the outcome, done when the scope has ended
	 */
	public CompletableFuture<@Nullable Object> result() {
		return this.result;
	}

	/**
	 * Release the holder and wait (bounded) for its thread to end; a thread still running after
	 * a few seconds, waiting for the connection for instance, is interrupted.
	 * @throws AssertionError if the thread does not end even when interrupted
	 */
	@Override
	public void close() {
		release();
		try {
			this.thread.join(GRACE.toMillis());
			if (this.thread.isAlive()) {
				this.thread.interrupt();
				this.thread.join(BOUND.toMillis());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.thread.interrupt();
		}
		if (this.thread.isAlive()) {
			throw new AssertionError("The holder '" + this.spec.threadName + "' did not end");
		}
	}

	@Override
	public String toString() {
		return "Holder[" + this.spec.threadName + (this.holding.isDone() ? ", held" : "")
				+ (this.result.isDone() ? ", ended" : "") + "]";
	}

	/**
	 * What a {@link Holder} does: its thread's name, its scope's options, the statements it runs
	 * before it holds the connection and the work it does once released.
	 */
	public static final class Spec {

		private final ManagedConnection managed;

		private String threadName = "holder";

		private ScopeOptions options = ScopeOptions.DEFAULT;

		private List<String> first = List.of();

		private @Nullable ConnectionCallback<?> then;

		private Spec(ManagedConnection managed) {
			this.managed = managed;
		}

		/**
		 * Name the holder's thread ({@code holder} by default).
		 * @param threadName the thread name
		 * @return this description
		 */
		public Spec named(String threadName) {
			this.threadName = threadName;
			return this;
		}

		/**
		 * Hold the connection in a scope of these options ({@link ScopeOptions#DEFAULT} by default).
		 * @param options the scope options
		 * @return this description
		 */
		public Spec options(ScopeOptions options) {
			this.options = options;
			return this;
		}

		/**
		 * Run these statements once the connection is acquired, before telling that it holds it.
		 * @param sql the statements, run in order
		 * @return this description
		 */
		public Spec first(String... sql) {
			this.first = List.of(sql);
			return this;
		}

		/**
		 * Do this work once released, in the same scope; its value is the holder's
		 * {@link Holder#result() result}.
		 * @param then the work
		 * @return this description
		 */
		public Spec then(ConnectionCallback<?> then) {
			this.then = then;
			return this;
		}

		/**
		 * Start the holder and return at once, whether or not it holds the connection yet.
		 * @return the started holder
		 */
		public Holder start() {
			Holder holder = new Holder(this.managed, this);
			holder.thread.start();
			return holder;
		}

		/**
		 * Start the holder and return once it holds the connection.
		 * @return the holder, holding the connection
		 * @throws AssertionError if it did not get to hold the connection; its thread is ended
		 */
		public Holder hold() {
			Holder holder = start();
			try {
				return holder.awaitHolding();
			}
			catch (AssertionError ex) {
				holder.close();
				throw ex;
			}
		}

	}

}
