package dev.managedconnection;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that virtual threads, which park without a timeout while they wait for a
 * {@link ConnectionLock}, still time out when the task that ends their waits is broken. Needs JDK
 * 21+, so the build runs this class only there (see the pom and {@code .ci/run}); virtual threads
 * are reached by reflection to compile for Java 17.
 */
@Timeout(60)
class ConnectionLockVirtualThreadTests {

	@Test
	void virtualWaitersTimeOutWhenTheExpiryTaskCannotBeScheduled() throws Exception {
		ScheduledThreadPoolExecutor rejecting = BrokenSchedulers.rejecting();
		try {
			assertVirtualWaitersTimeOut(new ConnectionLock(true, new Scheduler(rejecting)));
		}
		finally {
			rejecting.shutdownNow();
		}
	}

	@Test
	void virtualWaitersTimeOutWhenTheExpiryTaskFailsToScheduleItsNextRun() throws Exception {
		AtomicInteger schedules = new AtomicInteger();
		ScheduledThreadPoolExecutor failingLater = BrokenSchedulers.failingAfterFirst(schedules);
		try {
			assertVirtualWaitersTimeOut(new ConnectionLock(true, new Scheduler(failingLater)));
		}
		finally {
			failingLater.shutdownNow();
		}
	}

	private static void assertVirtualWaitersTimeOut(ConnectionLock lock) throws Exception {
		assertThat(lock.tryLock(0)).isTrue();
		ExecutorService executor = newVirtualThreadPerTaskExecutor();
		try {
			List<Future<Boolean>> waiters = new ArrayList<>();
			for (int i = 0; i < 50; i++) {
				// Deadlines spread out, so the expiry task must run more than once.
				long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(100 + 10L * i);
				waiters.add(executor.submit(() -> {
					assertThat(isVirtual(Thread.currentThread())).isTrue();
					return lock.tryLock(timeoutNanos);
				}));
			}
			for (Future<Boolean> waiter : waiters) {
				assertThat(waiter.get(30, TimeUnit.SECONDS)).isFalse();
			}
			assertThat(lock.getQueueLength()).isZero();
		}
		finally {
			lock.unlock();
			executor.shutdownNow();
		}
	}

	private static ExecutorService newVirtualThreadPerTaskExecutor() throws ReflectiveOperationException {
		return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
	}

	private static boolean isVirtual(Thread thread) throws ReflectiveOperationException {
		return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
	}

}
