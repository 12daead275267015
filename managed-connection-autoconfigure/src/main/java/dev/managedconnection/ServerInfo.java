package dev.managedconnection;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What is known about the server and session of a {@link ManagedConnection} without a round
 * trip, as psycopg2's {@code connection.info}; see {@link ManagedConnection#serverInfo()}.
 *
 * @param serverVersion the server's version as it reports it ({@code server_version}), or
 * empty when no connection is open
 * @param serverVersionNumber the version as a number ({@code 150010} for 15.10, psycopg2's
 * {@code server_version}), or {@code 0} when no connection is open
 * @param backendPid the server process serving the connection, or {@code -1} when none is open
 * @param parameterStatuses the server parameters the server reports to pgjdbc and pgjdbc
 * tracks ({@code server_encoding}, {@code client_encoding}, {@code TimeZone},
 * {@code DateStyle}, {@code is_superuser}, {@code session_authorization},
 * {@code application_name}, ...), by name; empty when no connection is open
 * @param connectionParameters the parameters the connection is opened with, from the JDBC URL
 * and the connection properties ({@code host}, {@code port}, {@code dbname}, {@code user},
 * ...), with every password masked, as psycopg2's {@code get_dsn_parameters()}
 * @since 0.1.0
 */
public record ServerInfo(String serverVersion, int serverVersionNumber, int backendPid,
		Map<String, String> parameterStatuses, Map<String, String> connectionParameters) {

	/**
	 * Create an instance, keeping unmodifiable copies of the maps, sorted by name.
	 * @param serverVersion the server's version text
	 * @param serverVersionNumber the version number
	 * @param backendPid the backend PID
	 * @param parameterStatuses the parameter statuses
	 * @param connectionParameters the connection parameters, passwords masked
	 */
	public ServerInfo {
		parameterStatuses = Collections.unmodifiableMap(new TreeMap<>(parameterStatuses));
		connectionParameters = Collections.unmodifiableMap(new TreeMap<>(connectionParameters));
	}

}
