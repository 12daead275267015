package dev.managedconnection;

import java.sql.Connection;
import java.sql.SQLException;

import org.jspecify.annotations.Nullable;

/**
 * Work to run while holding the {@link ManagedConnection} exclusively.
 *
 * @param <T> the result type
 * @since 0.1.0
 */
@FunctionalInterface
public interface ConnectionCallback<T extends @Nullable Object> {

	/**
	 * Do the work. The connection is valid only until this method returns.
	 * @param connection the held connection
	 * @return the result
	 * @throws SQLException if the work fails
	 */
	T doInConnection(Connection connection) throws SQLException;

}
