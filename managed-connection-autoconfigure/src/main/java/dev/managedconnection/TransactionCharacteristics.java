package dev.managedconnection;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;

import dev.managedconnection.SqlLexer.Token;
import org.jspecify.annotations.Nullable;

/**
 * The transaction characteristics of a scope ({@link ScopeOptions#readOnly()},
 * {@link ScopeOptions#isolation()}, {@link ScopeOptions#deferrable()}) as the SQL that applies
 * them to one transaction: {@code BEGIN ISOLATION LEVEL ..., READ ONLY, DEFERRABLE}, or
 * {@code SET TRANSACTION ...} for a transaction the holder began itself. Never as session
 * defaults. There are 44 combinations, each made once, so that a scope allocates nothing for
 * them.
 */
final class TransactionCharacteristics {

	private static final String[] TRANSACTION_CONTROL = { "begin", "start", "commit", "end", "rollback", "abort",
			"savepoint", "release" };

	private static final String[] PREPARE = { "prepare" };

	private static final String[] TRANSACTION = { "transaction" };

	/** Three read-only values (none, on, off) by five isolations by three deferrable values. */
	private static final @Nullable TransactionCharacteristics[] ALL = new TransactionCharacteristics[45];

	static {
		Boolean[] flags = { null, Boolean.TRUE, Boolean.FALSE };
		Integer[] isolations = { null, Connection.TRANSACTION_READ_UNCOMMITTED, Connection.TRANSACTION_READ_COMMITTED,
				Connection.TRANSACTION_REPEATABLE_READ, Connection.TRANSACTION_SERIALIZABLE };
		for (Boolean readOnly : flags) {
			for (Integer isolation : isolations) {
				for (Boolean deferrable : flags) {
					if (readOnly != null || isolation != null || deferrable != null) {
						TransactionCharacteristics each = new TransactionCharacteristics(readOnly, isolation, deferrable);
						ALL[index(readOnly, isolation, deferrable)] = each;
					}
				}
			}
		}
	}

	private final String begin;

	private final String beginReadOnly;

	private final String set;

	private final String setReadOnly;

	private TransactionCharacteristics(@Nullable Boolean readOnly, @Nullable Integer isolation,
			@Nullable Boolean deferrable) {
		this.begin = "BEGIN " + modes(readOnly, isolation, deferrable);
		this.set = "SET TRANSACTION " + modes(readOnly, isolation, deferrable);
		// A holder's setReadOnly(true) is kept, as pgjdbc keeps it with its own BEGIN READ ONLY.
		Boolean hinted = (readOnly != null) ? readOnly : Boolean.TRUE;
		this.beginReadOnly = "BEGIN " + modes(hinted, isolation, deferrable);
		this.setReadOnly = "SET TRANSACTION " + modes(hinted, isolation, deferrable);
	}

	/**
	 * Return the characteristics the options ask for.
	 * @param options the options of a scope
	 * @return the characteristics, or {@code null} when the options change none
	 */
	static @Nullable TransactionCharacteristics of(ScopeOptions options) {
		Boolean readOnly = options.readOnly();
		Integer isolation = options.isolation();
		Boolean deferrable = options.deferrable();
		if (readOnly == null && isolation == null && deferrable == null) {
			return null;
		}
		return ALL[index(readOnly, isolation, deferrable)];
	}

	/**
	 * Return the statement that begins a transaction with these characteristics.
	 * @param readOnlyHint whether the holder made the connection read-only through JDBC
	 * @return the {@code BEGIN} statement
	 */
	String begin(boolean readOnlyHint) {
		return readOnlyHint ? this.beginReadOnly : this.begin;
	}

	/**
	 * Return the statement that gives a transaction just begun these characteristics.
	 * @param readOnlyHint whether the holder made the connection read-only through JDBC
	 * @return the {@code SET TRANSACTION} statement
	 */
	String set(boolean readOnlyHint) {
		return readOnlyHint ? this.setReadOnly : this.set;
	}

	@Override
	public String toString() {
		return this.begin;
	}

	/**
	 * Return PostgreSQL's name of a JDBC isolation level.
	 * @param isolation one of the {@code Connection.TRANSACTION_*} constants
	 * @return its name, or {@code null} for {@code TRANSACTION_NONE} and any other value
	 */
	static @Nullable String isolationName(int isolation) {
		return switch (isolation) {
			case Connection.TRANSACTION_READ_UNCOMMITTED -> "READ UNCOMMITTED";
			case Connection.TRANSACTION_READ_COMMITTED -> "READ COMMITTED";
			case Connection.TRANSACTION_REPEATABLE_READ -> "REPEATABLE READ";
			case Connection.TRANSACTION_SERIALIZABLE -> "SERIALIZABLE";
			default -> null;
		};
	}

	/**
	 * Return whether SQL begins with a command that controls the transaction itself
	 * ({@code BEGIN}, {@code START TRANSACTION}, {@code COMMIT}, {@code END}, {@code ROLLBACK},
	 * {@code ABORT}, {@code SAVEPOINT}, {@code RELEASE}, {@code PREPARE TRANSACTION}, and so
	 * {@code COMMIT PREPARED} and {@code ROLLBACK PREPARED}): with autocommit on, such SQL is not
	 * wrapped in a transaction of the scope's own.
	 * @param sql the SQL text
	 * @return whether its first command controls the transaction
	 */
	static boolean isTransactionControl(String sql) {
		SqlLexer lexer = new SqlLexer(sql.getBytes(StandardCharsets.UTF_8), true);
		if (lexer.next() != Token.WORD) {
			return false;
		}
		if (lexer.word().isAnyOf(TRANSACTION_CONTROL)) {
			return true;
		}
		return lexer.word().isAnyOf(PREPARE) && lexer.next() == Token.WORD && lexer.word().isAnyOf(TRANSACTION);
	}

	private static String modes(@Nullable Boolean readOnly, @Nullable Integer isolation,
			@Nullable Boolean deferrable) {
		StringBuilder modes = new StringBuilder();
		if (isolation != null) {
			modes.append("ISOLATION LEVEL ").append(isolationName(isolation));
		}
		if (readOnly != null) {
			modes.append((modes.length() > 0) ? ", " : "").append(readOnly ? "READ ONLY" : "READ WRITE");
		}
		if (deferrable != null) {
			modes.append((modes.length() > 0) ? ", " : "").append(deferrable ? "DEFERRABLE" : "NOT DEFERRABLE");
		}
		return modes.toString();
	}

	private static int index(@Nullable Boolean readOnly, @Nullable Integer isolation, @Nullable Boolean deferrable) {
		return flagIndex(readOnly) * 15 + isolationIndex(isolation) * 3 + flagIndex(deferrable);
	}

	private static int flagIndex(@Nullable Boolean flag) {
		return (flag == null) ? 0 : flag ? 1 : 2;
	}

	private static int isolationIndex(@Nullable Integer isolation) {
		if (isolation == null) {
			return 0;
		}
		return switch (isolation) {
			case Connection.TRANSACTION_READ_UNCOMMITTED -> 1;
			case Connection.TRANSACTION_READ_COMMITTED -> 2;
			case Connection.TRANSACTION_REPEATABLE_READ -> 3;
			case Connection.TRANSACTION_SERIALIZABLE -> 4;
			default -> throw new IllegalArgumentException("Not an isolation level: " + isolation);
		};
	}

}
