package dev.managedconnection.annotation;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.NotificationListener;

import org.springframework.context.ApplicationEvent;

/**
 * Published when the managed connection listens on a channel again after it had to open a
 * new connection ({@link NotificationListener#onResubscribed}): notifications sent to the
 * channel while there was no connection are lost, so the application should read again the
 * state they were about. Published once per channel that has
 * {@link PostgresNotificationListener @PostgresNotificationListener} methods, on the
 * notification thread.
 *
 * @since 0.1.0
 */
@SuppressWarnings("serial")
public class NotificationChannelResubscribedEvent extends ApplicationEvent {

	private final String channel;

	/**
	 * Create an event.
	 * @param source the managed connection that listens on the channel again
	 * @param channel the channel
	 */
	public NotificationChannelResubscribedEvent(ManagedConnection source, String channel) {
		super(source);
		this.channel = channel;
	}

	/**
	 * The channel listened on again.
	 * @return the channel
	 */
	public String getChannel() {
		return this.channel;
	}

	@Override
	public String toString() {
		return "NotificationChannelResubscribedEvent[channel=" + this.channel + "]";
	}

}
