package dev.managedconnection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.managedconnection.TestSql.queryLong;
import static dev.managedconnection.TestSql.update;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ManagedConnection} with 1,000 virtual threads: nothing pins a carrier and no
 * update is lost. Needs JDK 21+, so the build runs this class only there (see the pom and
 * {@code .ci/run}); it is reached by reflection to compile for Java 17.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ManagedConnectionVirtualThreadTests {

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create()
		.schema("CREATE TABLE counter (id int PRIMARY KEY, value int NOT NULL)", "INSERT INTO counter VALUES (1, 0)")
		.customize((builder) -> builder.acquireTimeout(Duration.ofSeconds(150)));

	@Test
	void thousandVirtualThreadsShareTheConnectionWithoutLosingAnUpdate() throws Exception {
		int threads = 1000;
		int incrementsPerThread = 3;
		ManagedConnection managed = db.managed();
		ExecutorService executor = newVirtualThreadPerTaskExecutor();
		try {
			List<Future<Boolean>> futures = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				futures.add(executor.submit(() -> {
					for (int n = 0; n < incrementsPerThread; n++) {
						managed.execute((connection) -> {
							long value = queryLong(connection, "SELECT value FROM counter WHERE id = 1");
							update(connection, "UPDATE counter SET value = " + (value + 1) + " WHERE id = 1");
							connection.commit();
							return null;
						});
					}
					return isVirtual(Thread.currentThread());
				}));
			}
			for (Future<Boolean> future : futures) {
				assertThat(future.get(170, TimeUnit.SECONDS)).isTrue();
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(db.queryLong("SELECT value FROM counter WHERE id = 1")).isEqualTo(threads * incrementsPerThread);
	}

	private static ExecutorService newVirtualThreadPerTaskExecutor() throws ReflectiveOperationException {
		return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
	}

	private static boolean isVirtual(Thread thread) throws ReflectiveOperationException {
		return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
	}

}
