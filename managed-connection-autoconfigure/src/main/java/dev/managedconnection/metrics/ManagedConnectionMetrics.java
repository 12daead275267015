package dev.managedconnection.metrics;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.MetricsTracker;
import dev.managedconnection.RollbackReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer metrics for a {@link ManagedConnection}: a {@link MeterBinder} that is also the
 * connection's {@link MetricsTracker}. Meters are built once, when bound to a registry, and
 * kept in fields, so recording an event looks nothing up; events before the first binding are
 * not recorded.
 * <table>
 * <caption>Meters</caption>
 * <tr><th>Name</th><th>Type</th><th>Measures</th></tr>
 * <tr><td>{@code managed.connection.acquire}</td><td>timer</td><td>time waited for the
 * connection, including opening it</td></tr>
 * <tr><td>{@code managed.connection.usage}</td><td>timer</td><td>time the connection was
 * held</td></tr>
 * <tr><td>{@code managed.connection.pending}</td><td>gauge</td><td>threads waiting for
 * it</td></tr>
 * <tr><td>{@code managed.connection.active}</td><td>gauge</td><td>1 while a thread holds it,
 * else 0</td></tr>
 * <tr><td>{@code managed.connection.timeouts}</td><td>counter</td><td>acquisitions that timed
 * out</td></tr>
 * <tr><td>{@code managed.connection.reconnects}</td><td>counter</td><td>closed or broken
 * connections replaced</td></tr>
 * <tr><td>{@code managed.connection.rollbacks}</td><td>counter, tag
 * {@code reason=exception|open-transaction}</td><td>transactions rolled back on
 * release</td></tr>
 * <tr><td>{@code managed.connection.session.discards}</td><td>counter</td><td>sessions reset
 * with {@code DISCARD ALL} after a scope that may have changed them</td></tr>
 * <tr><td>{@code managed.connection.notifications}</td><td>counter, tag
 * {@code outcome=delivered|dropped}</td><td>notifications handed to listeners, or dropped
 * because they were too far behind</td></tr>
 * </table>
 *
 * <pre class="code">
 * ManagedConnectionMetrics metrics = new ManagedConnectionMetrics(Tags.of("name", "orders"));
 * ManagedConnection connection = ManagedConnection.builder().url(url).metricsTracker(metrics).build();
 * metrics.bindTo(meterRegistry);
 * </pre>
 *
 * @since 0.1.0
 */
public final class ManagedConnectionMetrics implements MeterBinder, MetricsTracker {

	private static final String PREFIX = "managed.connection.";

	private final Tags tags;

	private final Object bindLock = new Object();

	private volatile @Nullable ManagedConnection connection;

	private volatile Meters[] meters = new Meters[0];

	/**
	 * Create metrics without extra tags.
	 */
	public ManagedConnectionMetrics() {
		this(Tags.empty());
	}

	/**
	 * Create metrics whose meters carry the given tags, to tell several connections apart.
	 * @param tags the tags
	 */
	public ManagedConnectionMetrics(Iterable<Tag> tags) {
		this.tags = Tags.of(tags);
	}

	/**
	 * Remember the connection whose state the gauges read.
	 * @param connection the managed connection
	 * @throws IllegalStateException if these metrics already measure another connection
	 */
	@Override
	public void built(ManagedConnection connection) {
		synchronized (this.bindLock) {
			ManagedConnection current = this.connection;
			if (current != null && current != connection) {
				throw new IllegalStateException(
						"ManagedConnectionMetrics measure one ManagedConnection but were given a second: " + connection);
			}
			this.connection = connection;
		}
	}

	/**
	 * Build the meters in the registry; binding to the same registry again does nothing.
	 * @param registry the registry
	 */
	@Override
	public void bindTo(MeterRegistry registry) {
		synchronized (this.bindLock) {
			Meters[] current = this.meters;
			for (Meters bound : current) {
				if (bound.registry == registry) {
					return;
				}
			}
			Gauge.builder(PREFIX + "pending", this, ManagedConnectionMetrics::pending)
				.description("Threads waiting for the managed connection")
				.tags(this.tags)
				.register(registry);
			Gauge.builder(PREFIX + "active", this, ManagedConnectionMetrics::active)
				.description("Whether a thread holds the managed connection: 1 or 0")
				.tags(this.tags)
				.register(registry);
			Meters[] extended = Arrays.copyOf(current, current.length + 1);
			extended[current.length] = new Meters(registry, this.tags);
			this.meters = extended;
		}
	}

	@Override
	public void acquired(long waitNanos) {
		for (Meters bound : this.meters) {
			bound.acquire.record(waitNanos, TimeUnit.NANOSECONDS);
		}
	}

	@Override
	public void released(long heldNanos) {
		for (Meters bound : this.meters) {
			bound.usage.record(heldNanos, TimeUnit.NANOSECONDS);
		}
	}

	@Override
	public void timedOut() {
		for (Meters bound : this.meters) {
			bound.timeouts.increment();
		}
	}

	@Override
	public void reconnected() {
		for (Meters bound : this.meters) {
			bound.reconnects.increment();
		}
	}

	@Override
	public void notificationDelivered() {
		for (Meters bound : this.meters) {
			bound.notificationsDelivered.increment();
		}
	}

	@Override
	public void notificationDropped() {
		for (Meters bound : this.meters) {
			bound.notificationsDropped.increment();
		}
	}

	@Override
	public void sessionDiscarded() {
		for (Meters bound : this.meters) {
			bound.discards.increment();
		}
	}

	@Override
	public void rolledBack(RollbackReason reason) {
		for (Meters bound : this.meters) {
			bound.rollbacks[reason.ordinal()].increment();
		}
	}

	private double pending() {
		ManagedConnection current = this.connection;
		return (current != null) ? current.state().waitingThreads() : 0;
	}

	private double active() {
		ManagedConnection current = this.connection;
		return (current != null && current.state().holderThread() != null) ? 1 : 0;
	}

	/**
	 * The meters in one registry.
	 */
	private static final class Meters {

		final MeterRegistry registry;

		final Timer acquire;

		final Timer usage;

		final Counter timeouts;

		final Counter reconnects;

		final Counter[] rollbacks;

		final Counter discards;

		final Counter notificationsDelivered;

		final Counter notificationsDropped;

		Meters(MeterRegistry registry, Tags tags) {
			this.registry = registry;
			this.acquire = Timer.builder(PREFIX + "acquire")
				.description("Time waited to acquire the managed connection, including opening it")
				.tags(tags)
				.register(registry);
			this.usage = Timer.builder(PREFIX + "usage")
				.description("Time the managed connection was held")
				.tags(tags)
				.register(registry);
			this.timeouts = Counter.builder(PREFIX + "timeouts")
				.description("Acquisitions of the managed connection that timed out")
				.tags(tags)
				.register(registry);
			this.reconnects = Counter.builder(PREFIX + "reconnects")
				.description("Closed or broken physical connections replaced by a new one")
				.tags(tags)
				.register(registry);
			this.discards = Counter.builder(PREFIX + "session.discards")
				.description("Sessions reset with DISCARD ALL after a scope that may have changed them")
				.tags(tags)
				.register(registry);
			this.notificationsDelivered = notifications(registry, tags, "delivered");
			this.notificationsDropped = notifications(registry, tags, "dropped");
			RollbackReason[] reasons = RollbackReason.values();
			this.rollbacks = new Counter[reasons.length];
			for (RollbackReason reason : reasons) {
				this.rollbacks[reason.ordinal()] = Counter.builder(PREFIX + "rollbacks")
					.description("Transactions rolled back when the holder released the managed connection")
					.tags(tags)
					.tag("reason", tagValue(reason))
					.register(registry);
			}
		}

		private static Counter notifications(MeterRegistry registry, Tags tags, String outcome) {
			return Counter.builder(PREFIX + "notifications")
				.description("Notifications handed to the listeners of their channel, or dropped")
				.tags(tags)
				.tag("outcome", outcome)
				.register(registry);
		}

		private static String tagValue(RollbackReason reason) {
			return reason.name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

	}

}
