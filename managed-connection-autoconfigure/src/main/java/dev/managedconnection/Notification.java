package dev.managedconnection;

/**
 * A notification the server delivered to a channel the managed connection listens on
 * ({@code NOTIFY channel, 'payload'} or {@code pg_notify}), as psycopg2's {@code Notify}.
 *
 * @param channel the channel
 * @param payload the payload, empty when none was sent
 * @param backendPid the backend process of the session that sent it
 * @since 0.1.0
 */
public record Notification(String channel, String payload, int backendPid) {

}
