package dev.managedconnection;

import java.sql.Connection;
import java.sql.SQLException;

import org.jspecify.annotations.Nullable;

/**
 * The JDBC settings a holder changed, as they were before the change, so that the release can
 * put them back for the next holder. Created only when a scope changes a setting.
 */
final class OriginalSettings {

	private boolean autoCommitChanged;

	private @Nullable Boolean readOnly;

	private @Nullable Integer isolation;

	private boolean schemaChanged;

	private @Nullable String schema;

	private @Nullable Integer networkTimeout;

	private @Nullable Integer holdability;

	/**
	 * Return whether a connection method changes a setting this class puts back.
	 * @param name the method name
	 * @return whether it does
	 */
	static boolean isSetter(String name) {
		return switch (name) {
			case "setAutoCommit", "setReadOnly", "setTransactionIsolation", "setSchema", "setNetworkTimeout",
					"setHoldability" -> true;
			default -> false;
		};
	}

	/**
	 * Remember the setting the method is about to change, the first time it changes.
	 * @param name the setter's name
	 * @param connection the driver's connection
	 * @throws SQLException if the setting cannot be read
	 */
	void remember(String name, Connection connection) throws SQLException {
		switch (name) {
			case "setAutoCommit" -> this.autoCommitChanged = true;
			case "setReadOnly" -> {
				if (this.readOnly == null) {
					this.readOnly = connection.isReadOnly();
				}
			}
			case "setTransactionIsolation" -> {
				if (this.isolation == null) {
					this.isolation = connection.getTransactionIsolation();
				}
			}
			case "setSchema" -> {
				if (!this.schemaChanged) {
					this.schema = connection.getSchema();
					this.schemaChanged = true;
				}
			}
			case "setNetworkTimeout" -> {
				if (this.networkTimeout == null) {
					this.networkTimeout = connection.getNetworkTimeout();
				}
			}
			case "setHoldability" -> {
				if (this.holdability == null) {
					this.holdability = connection.getHoldability();
				}
			}
			default -> {
			}
		}
	}

	/**
	 * Put the changed settings back. Runs after the transaction has ended.
	 * @param settings the settings to put back, or {@code null} when none changed
	 * @param connection the driver's connection
	 * @param defaultAutoCommit the configured autocommit mode
	 * @param borrowed whether the DataSource view turned autocommit on for the scope
	 * @throws SQLException if a setting could not be put back
	 */
	static void restore(@Nullable OriginalSettings settings, Connection connection, boolean defaultAutoCommit,
			boolean borrowed) throws SQLException {
		if (borrowed || (settings != null && settings.autoCommitChanged)) {
			connection.setAutoCommit(defaultAutoCommit);
		}
		if (settings == null) {
			return;
		}
		if (settings.readOnly != null) {
			connection.setReadOnly(settings.readOnly);
		}
		if (settings.isolation != null) {
			connection.setTransactionIsolation(settings.isolation);
		}
		if (settings.schemaChanged) {
			connection.setSchema(settings.schema);
		}
		if (settings.networkTimeout != null) {
			connection.setNetworkTimeout(Runnable::run, settings.networkTimeout);
		}
		if (settings.holdability != null) {
			connection.setHoldability(settings.holdability);
		}
	}

}
