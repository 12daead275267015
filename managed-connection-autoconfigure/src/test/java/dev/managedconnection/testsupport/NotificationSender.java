package dev.managedconnection.testsupport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Sends notifications from sessions of their own, as another application would.
 */
public final class NotificationSender {

	private NotificationSender() {
	}

	/**
	 * Send a notification with {@code pg_notify} from a new session.
	 * @param database the database to connect to
	 * @param channel the channel
	 * @param payload the payload
	 * @return the backend PID of the sending session
	 * @throws SQLException if sending fails
	 */
	public static int send(TestDatabase database, String channel, String payload) throws SQLException {
		try (Connection connection = database.connect();
				PreparedStatement statement = connection.prepareStatement("SELECT pg_notify(?, ?), pg_backend_pid()")) {
			statement.setString(1, channel);
			statement.setString(2, payload);
			try (ResultSet rows = statement.executeQuery()) {
				rows.next();
				return rows.getInt(2);
			}
		}
	}

}
