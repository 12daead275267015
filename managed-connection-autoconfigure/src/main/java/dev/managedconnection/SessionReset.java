package dev.managedconnection;

/**
 * What a {@link ManagedConnection} resets between two holders, so that one holder's session
 * state never reaches the next.
 *
 * @since 0.1.0
 */
public enum SessionReset {

	/**
	 * Reset nothing beyond ending the transaction and clearing the connection's warnings (the
	 * server's notices, client-side): JDBC settings a holder changed (autocommit,
	 * read-only, isolation, schema, network timeout, holdability) and session state stay for the
	 * next holder. Only for code that changes neither.
	 */
	NONE,

	/**
	 * Restore the JDBC settings a holder changed and clear the connection's warnings, with no
	 * extra round trip unless a setting was changed. Session state made with SQL ({@code SET},
	 * {@code SET ROLE}, temporary tables, advisory locks, {@code LISTEN}, prepared statements)
	 * stays for the next holder.
	 */
	JDBC,

	/**
	 * Everything {@link #JDBC} does, then {@code DISCARD ALL} when the holder used the connection
	 * in a way that may have changed the session (ran SQL that may, judged conservatively from
	 * its text; unwrapped the driver's connection or a statement; changed the schema or client
	 * info): roles, settings, temporary tables, advisory locks, {@code LISTEN} registrations,
	 * queued notifications and server-side prepared statements are all gone for the next
	 * holder. Costs one round trip per such scope and nothing for the others. A function that
	 * changes the session inside its body is not seen. The default.
	 */
	DISCARD_ALL

}
