package dev.managedconnection;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a {@link ManagedConnectionSettings setting} of a managed connection is missing or
 * out of range. Names the setting, the value (secrets masked) and the rule it broke, so that a
 * framework can say which of its own properties to fix.
 *
 * @since 0.1.0
 */
public class InvalidSettingException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	private final String setting;

	private final transient @Nullable Object value;

	private final Rule rule;

	InvalidSettingException(String setting, @Nullable Object value, Rule rule) {
		super("'" + setting + "'" + ((value != null) ? " (" + value + ")" : "") + " " + rule.description());
		this.setting = setting;
		this.value = value;
		this.rule = rule;
	}

	/**
	 * Return the name of the setting, as the builder method that sets it.
	 * @return the setting, such as {@code acquireTimeout}
	 */
	public String getSetting() {
		return this.setting;
	}

	/**
	 * Return the invalid value, a URL with its secrets masked.
	 * @return the value, or {@code null} when it was not set
	 */
	public @Nullable Object getValue() {
		return this.value;
	}

	/**
	 * Return the rule the value broke.
	 * @return the rule
	 */
	public Rule getRule() {
		return this.rule;
	}

	/**
	 * What a setting must be.
	 */
	public enum Rule {

		/** Must be set. */
		REQUIRED("must be set"),

		/** Must be a PostgreSQL JDBC URL. */
		POSTGRESQL_URL("must be a PostgreSQL JDBC URL, starting with 'jdbc:postgresql:'"),

		/** Must be a duration greater than zero. */
		POSITIVE("must be greater than zero"),

		/** Must be a duration of zero or more. */
		NOT_NEGATIVE("must not be negative");

		private final String description;

		Rule(String description) {
			this.description = description;
		}

		/**
		 * Return the rule in words, as in "must be greater than zero".
		 * @return the description
		 */
		public String description() {
			return this.description;
		}

	}

}
