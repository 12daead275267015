package dev.managedconnection;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import ch.qos.logback.classic.Level;
import dev.managedconnection.testsupport.Holder;
import dev.managedconnection.testsupport.LoopbackProxy;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import dev.managedconnection.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;

import static dev.managedconnection.TestSql.queryLong;
import static dev.managedconnection.testsupport.ManagedConnectionWaits.awaitWaitingThreads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests that whatever a holder does, on purpose or by bad luck, the next holder gets a clean
 * connection of its own and the lock is never lost: an {@link Error} part-way through the
 * driver, a COPY left open, a thread that dies holding the connection, a callback that leaves a
 * scope open, and a cancel still in flight when its scope ends.
 */
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class HostileHolderIntegrationTests {

	private static final Duration PROMPTLY = Duration.ofSeconds(20);

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	// A socket timeout bounds what a connection whose protocol got out of step could hang.
	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE item (id int PRIMARY KEY, name text)")
		.beforeEachTest("TRUNCATE item")
		.customize((builder) -> builder.socketTimeout(Duration.ofSeconds(10)));

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void shutDownExecutor() {
		this.executor.shutdownNow();
	}

	@Test
	void aStackOverflowInsideTheDriverNeverHandsTheNextHolderAnotherHoldersRows() throws Exception {
		ManagedConnection managed = db.managed();
		for (int trial = 0; trial < 30; trial++) {
			int secret = trial;
			Thread deep = new Thread(null, () -> {
				try {
					recurse(managed, secret);
				}
				catch (StackOverflowError expected) {
					// The holder's thread overflowed, somewhere inside a scope.
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			}, "deep-" + trial, 256 * 1024);
			deep.start();
			deep.join(PROMPTLY.toMillis());
			assertThat(deep.isAlive()).isFalse();
			Future<String> next = this.executor.submit(() -> managed.execute(COMMIT, (connection) -> {
				try (PreparedStatement statement = connection.prepareStatement("SELECT 'B'")) {
					statement.execute();
					try (ResultSet result = statement.getResultSet()) {
						result.next();
						return result.getString(1);
					}
				}
			}));
			assertThat(next.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).as("trial %d", trial).isEqualTo("B");
		}
	}

	private static void recurse(ManagedConnection managed, int secret) throws SQLException {
		managed.execute((connection) -> {
			try (PreparedStatement statement = connection.prepareStatement("SELECT 'A-secret-" + secret + "'")) {
				statement.execute();
				try (ResultSet result = statement.getResultSet()) {
					result.next();
				}
			}
			recurse(managed, secret);
			return null;
		});
	}

	@Test
	void aCopyInLeftOpenByAHolderThatThrewIsCancelledAndItsExceptionGoesOn() throws Exception {
		Future<Object> holder = this.executor.submit(() -> db.managed().execute((connection) -> {
			CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY item FROM STDIN");
			byte[] line = "1\tone\n".getBytes(StandardCharsets.UTF_8);
			copy.writeToCopy(line, 0, line.length);
			throw new IllegalArgumentException("bad line 2 in the import file");
		}));
		assertThat(holder).failsWithin(PROMPTLY)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(IllegalArgumentException.class)
			.withMessage("bad line 2 in the import file");
		assertTheNextHolderGetsAUsableConnectionAndNoRow();
	}

	@Test
	void aCopyInLeftOpenOnReturnIsCancelledAndReported() throws Exception {
		Future<Object> holder = this.executor.submit(() -> db.managed().execute((connection) -> {
			CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY item FROM STDIN");
			byte[] line = "1\tone\n".getBytes(StandardCharsets.UTF_8);
			copy.writeToCopy(line, 0, line.length);
			return null;
		}));
		assertThat(holder).failsWithin(PROMPTLY)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(SQLException.class)
			.withMessageContaining("COPY");
		assertTheNextHolderGetsAUsableConnectionAndNoRow();
	}

	@Test
	void aCopyOutLeftOpenByAHolderThatThrewIsCancelled() throws Exception {
		db.execute("INSERT INTO item SELECT n, 'row ' || n FROM generate_series(1, 20000) n");
		Future<Object> holder = this.executor.submit(() -> db.managed().execute((connection) -> {
			CopyOut copy = connection.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY item TO STDOUT");
			copy.readFromCopy();
			throw new IllegalStateException("the export's target is full");
		}));
		assertThat(holder).failsWithin(PROMPTLY)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessage("the export's target is full");
		assertThat(nextHolderCounts()).isEqualTo(20000);
	}

	@Test
	void aCopyOutLeftOpenOnReturnIsCancelledAndReported() throws Exception {
		db.execute("INSERT INTO item SELECT n, 'row ' || n FROM generate_series(1, 20000) n");
		Future<Object> holder = this.executor.submit(() -> db.managed().execute((connection) -> {
			CopyOut copy = connection.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY item TO STDOUT");
			copy.readFromCopy();
			return null;
		}));
		assertThat(holder).failsWithin(PROMPTLY)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(SQLException.class)
			.withMessageContaining("COPY");
		assertThat(nextHolderCounts()).isEqualTo(20000);
	}

	private void assertTheNextHolderGetsAUsableConnectionAndNoRow() throws Exception {
		assertThat(nextHolderCounts()).isZero();
	}

	private long nextHolderCounts() throws Exception {
		Future<Long> next = this.executor.submit(() -> db.managed()
			.execute(COMMIT, (connection) -> queryLong(connection, "SELECT count(*) FROM item")));
		return next.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);
	}

	@Test
	void aThreadThatDiesHoldingABorrowedConnectionLosesItToTheNextWaiterUncommitted() throws Exception {
		try (LogCapture log = LogCapture.of(ManagedConnection.class)) {
			Thread careless = new Thread(() -> {
				try {
					Connection borrowed = db.managed().asDataSource().getConnection();
					borrowed.setAutoCommit(false);
					TestSql.update(borrowed, "INSERT INTO item VALUES (1, 'never committed')");
					// Ends without closing it.
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			}, "careless-borrower");
			careless.start();
			careless.join(PROMPTLY.toMillis());
			assertThat(careless.isAlive()).isFalse();
			assertThat(nextHolderCounts()).isZero();
			assertThat(log.events()).anySatisfy((event) -> {
				assertThat(event.getLevel()).isEqualTo(Level.ERROR);
				assertThat(event.getFormattedMessage()).contains("careless-borrower");
			});
		}
	}

	@Test
	void aWaiterReclaimsTheConnectionFromAHolderThatDiesWhileItWaits() throws Exception {
		CountDownLatch holding = new CountDownLatch(1);
		CountDownLatch die = new CountDownLatch(1);
		Thread careless = new Thread(() -> {
			try {
				db.managed().acquire(ScopeOptions.DEFAULT);
				TestSql.update(db.managed().currentConnection(), "INSERT INTO item VALUES (1, 'never committed')");
				holding.countDown();
				TestSql.await(die);
				// Ends without release().
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		}, "careless-acquirer");
		careless.start();
		assertThat(holding.await(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).isTrue();
		Future<Long> waiter = this.executor.submit(() -> db.managed().execute(COMMIT,
				(connection) -> queryLong(connection, "SELECT count(*) FROM item")));
		awaitWaitingThreads(db.managed(), 1);
		die.countDown();
		careless.join(PROMPTLY.toMillis());
		assertThat(waiter.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).isZero();
	}

	@Test
	void aCallbackThatAcquiresWithoutReleasingFailsItsCallAndLeavesTheConnectionFree() throws Exception {
		assertThatIllegalStateException().isThrownBy(() -> db.managed().execute((connection) -> {
			TestSql.update(connection, "INSERT INTO item VALUES (1, 'rolled back')");
			db.managed().acquire(ScopeOptions.DEFAULT);
			return null;
		})).withMessageContaining("acquire()").withMessageContaining("release()");
		assertThat(db.managed().isHeldByCurrentThread()).isFalse();
		assertThat(nextHolderCounts()).isZero();
	}

	@Test
	void aStackOverflowAnywhereInNestedScopesNeverLeavesTheLockWithTheThread() throws Exception {
		ManagedConnection managed = db.managed();
		for (int trial = 0; trial < 100; trial++) {
			AtomicReference<Boolean> heldAfterwards = new AtomicReference<>();
			Thread deep = new Thread(null, () -> {
				try {
					recurseWithoutSql(managed, 0);
				}
				catch (StackOverflowError | SQLException expected) {
					// However the overflow ended the scopes.
				}
				heldAfterwards.set(managed.isHeldByCurrentThread());
			}, "deep-" + trial, 256 * 1024);
			deep.start();
			deep.join(PROMPTLY.toMillis());
			assertThat(heldAfterwards.get()).as("trial %d: the thread still holds the connection", trial).isFalse();
			Future<Long> next = this.executor.submit(() -> managed.execute((connection) -> 1L));
			assertThat(next.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).isOne();
		}
	}

	private static void recurseWithoutSql(ManagedConnection managed, int depth) throws SQLException {
		managed.execute((connection) -> {
			// Plain frames between the scopes, a different number each time, so that the stack runs
			// out at a different place in the scopes' own code in each trial.
			int frames = Math.floorMod(depth * 31 + Thread.currentThread().getName().hashCode(), 7);
			padThenRecurse(managed, frames, depth);
			return null;
		});
	}

	private static void padThenRecurse(ManagedConnection managed, int frames, int depth) throws SQLException {
		if (frames > 0) {
			padThenRecurse(managed, frames - 1, depth);
			return;
		}
		recurseWithoutSql(managed, depth + 1);
	}

	@Test
	void aCancelInFlightWhenItsScopeEndsNeverCancelsTheNextHoldersStatement() throws Exception {
		try (LoopbackProxy proxy = LoopbackProxy.start(TestPostgres.get().host(), TestPostgres.get().port());
				ManagedConnection proxied = db.builder().url(proxy.url(db.name())).acquireTimeout(PROMPTLY).build()) {
			proxied.execute((connection) -> null);
			for (int trial = 0; trial < 40; trial++) {
				try (Holder holderA = Holder.hold(proxied, "holder-a")) {
					// The cancel request's own connection is held at the proxy: the cancel is in flight.
					proxy.holdNewConnections(true);
					int accepted = proxy.acceptedConnections();
					Future<?> cancel = this.executor.submit(() -> {
						proxied.cancel();
						return null;
					});
					await().atMost(PROMPTLY).until(() -> proxy.acceptedConnections() > accepted);
					holderA.release();
					Future<Object> holderB = this.executor.submit(() -> proxied.execute(COMMIT, (connection) -> {
						try (Statement statement = connection.createStatement()) {
							statement.execute("SELECT pg_sleep(0.5)");
						}
						return null;
					}));
					// B waits for A's scope, which waits for its cancel; or, were the cancel not tied to
					// A's scope, B's statement already runs.
					await().atMost(PROMPTLY)
						.until(() -> proxied.state().waitingThreads() == 1 || sleepIsRunning());
					proxy.holdNewConnections(false);
					cancel.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);
					holderA.result().get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);
					assertThat(holderB).as("trial %d: B's statement", trial).succeedsWithin(PROMPTLY);
				}
			}
		}
	}

	private static boolean sleepIsRunning() throws SQLException {
		return db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
				+ "AND query = 'SELECT pg_sleep(0.5)'") > 0;
	}

}
