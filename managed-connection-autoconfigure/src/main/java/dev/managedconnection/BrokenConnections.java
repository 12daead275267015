package dev.managedconnection;

import java.sql.SQLException;

/**
 * Tells errors that leave the physical connection unusable from ordinary SQL errors.
 */
final class BrokenConnections {

	private BrokenConnections() {
	}

	/**
	 * Return whether the failure, or any cause or chained exception of it, means the connection
	 * is broken: SQLState class 08 (connection exception), 57P01-57P03 (the server shut down or
	 * is starting) or 25P03 (idle-in-transaction timeout, which ends the session).
	 * @param failure the failure
	 * @return whether the connection must not be used again
	 */
	static boolean isBroken(Throwable failure) {
		int depth = 0;
		for (Throwable current = failure; current != null && depth < 16; current = current.getCause(), depth++) {
			if (current instanceof SQLException sql) {
				for (SQLException chained = sql; chained != null && depth < 16; chained = chained.getNextException(), depth++) {
					if (isBrokenState(chained.getSQLState())) {
						return true;
					}
				}
			}
		}
		return false;
	}

	static boolean isBrokenState(String sqlState) {
		return sqlState != null && (sqlState.startsWith("08") || sqlState.equals("57P01") || sqlState.equals("57P02")
				|| sqlState.equals("57P03") || sqlState.equals("25P03"));
	}

}
