package dev.managedconnection.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.Notification;

import org.springframework.aot.hint.annotation.Reflective;

/**
 * Marks a bean method that receives the notifications of PostgreSQL channels through the
 * managed connection ({@code LISTEN}), as {@code @KafkaListener} and {@code @JmsListener}
 * methods receive messages. The method takes one parameter: the payload as a
 * {@link String}, or the whole {@link Notification}; what it returns is ignored.
 * <p>
 * The method is subscribed with {@link ManagedConnection#listen} when the application
 * context starts and unsubscribed when it stops. It is called on the managed connection's
 * notification thread, in the order the server sent, never while the connection is held,
 * so it may use the connection itself. Notifications sent while the connection was down
 * are lost, as PostgreSQL delivers them only to listening sessions: after a reconnect the
 * context publishes a {@link NotificationChannelResubscribedEvent} for each channel, for
 * the application to resynchronise.
 *
 * @since 0.1.0
 */
// Reflective: the methods are invoked by reflection, so a native image must keep them.
@Reflective
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PostgresNotificationListener {

	/**
	 * The channels to listen on, exactly as they are named in {@code NOTIFY} (case
	 * included). {@code ${...}} placeholders are resolved.
	 * @return the channels
	 */
	String[] value();

}
