package dev.managedconnection;

import java.nio.charset.StandardCharsets;

import dev.managedconnection.SqlLexer.Token;
import org.jspecify.annotations.Nullable;

/**
 * Tells, from its text alone, whether SQL may change the server session beyond the current
 * transaction, so that {@link SessionReset#DISCARD_ALL} pays its round trip only when needed.
 * <p>
 * Deliberately conservative: a false alarm costs one {@code DISCARD ALL}; a miss would hand
 * session state to the next holder. Reads the SQL with {@link SqlLexer}, so comments, strings
 * and quoting hide nothing from it (after {@link SessionWords} has found that it may hold one of
 * the words below at all), and flags a statement that begins with a session command
 * ({@code SET}, {@code RESET}, {@code PREPARE}, {@code DECLARE}, {@code LOAD}, {@code DO},
 * {@code CALL}, {@code DISCARD}, {@code LISTEN}, {@code UNLISTEN}), the keywords
 * {@code TEMP}, {@code TEMPORARY} or {@code HOLD} anywhere, a name in the {@code pg_temp}
 * schema, the functions of session advisory locks or {@code set_config}, functions that run SQL
 * given as text, and any text the lexer cannot read exactly as the server would. A function that
 * changes the session inside its body is not visible here; see {@link SessionReset}.
 */
final class SessionStatements {

	private static final String[] LEADING_COMMANDS = { "set", "reset", "prepare", "declare", "load", "do", "call",
			"discard", "listen", "unlisten" };

	/** Keywords that make a temporary object or a cursor that outlives its transaction. */
	private static final String[] KEYWORDS = { "temp", "temporary", "hold" };

	/**
	 * Parts of function names, quoted or not: {@code pg_advisory_lock}, {@code pg_try_advisory_lock_shared},
	 * {@code pg_advisory_unlock_all} (not {@code pg_advisory_xact_lock}, whose lock ends with
	 * the transaction), {@code set_config}, and {@code query_to_xml}, {@code ts_stat} and
	 * {@code ts_rewrite}, which run a query given as a string that this class cannot judge.
	 */
	private static final String[] FUNCTIONS = { "advisory_lock", "advisory_unlock", "set_config", "query_to_xml",
			"ts_stat", "ts_rewrite" };

	/** The schema of temporary objects: {@code pg_temp}, or its real name such as {@code pg_temp_3}. */
	private static final String TEMPORARY_SCHEMA = "pg_temp";

	private static final SessionWords WORDS = new SessionWords(LEADING_COMMANDS, KEYWORDS,
			new String[] { TEMPORARY_SCHEMA }, FUNCTIONS);

	private static final SqlWord.Parts FUNCTION_PARTS = SqlWord.Parts.of(FUNCTIONS);

	/** A power of two: slots are picked by the low bits of the SQL's hash. */
	private static final int REMEMBERED = 64;

	/**
	 * Verdicts on recent SQL texts, one a slot. Applications run the same few texts over and
	 * over, so most statements are judged by one {@code equals}. Written by whichever thread
	 * judges; a verdict is immutable, so a reader sees a whole one or another.
	 */
	private final @Nullable Verdict[] recent = new Verdict[REMEMBERED];

	/**
	 * Return whether the SQL may change session state, as {@link #mayChangeSession(String)},
	 * judging a text again only when it is no longer among the recent ones.
	 * @param sql the SQL text
	 * @return whether a {@code DISCARD ALL} is needed after it
	 */
	boolean mayChange(String sql) {
		int hash = sql.hashCode();
		int slot = (hash ^ (hash >>> 16)) & (REMEMBERED - 1);
		Verdict verdict = this.recent[slot];
		if (verdict == null || !verdict.sql().equals(sql)) {
			verdict = new Verdict(sql, mayChangeSession(sql));
			this.recent[slot] = verdict;
		}
		return verdict.changes();
	}

	/**
	 * Return whether the SQL may change session state. Text that cannot hold any of the words
	 * looked for is let through unread, even text the lexer would find malformed.
	 * @param sql the SQL text, possibly several statements
	 * @return whether a {@code DISCARD ALL} is needed after it
	 */
	static boolean mayChangeSession(String sql) {
		// The server reads the bytes pgjdbc sends, and bytes are read faster than a String.
		byte[] utf8 = sql.getBytes(StandardCharsets.UTF_8);
		if (!WORDS.mayBeIn(utf8)) {
			return false;
		}
		SqlLexer lexer = new SqlLexer(utf8, true);
		if (mayChangeSession(lexer)) {
			return true;
		}
		// A server with standard_conforming_strings off (set by an administrator, say) reads \'
		// inside a string as a quote, and could find a statement where this reading found a string.
		return lexer.sawBackslashBeforeQuote() && mayChangeSession(new SqlLexer(utf8, false));
	}

	private static boolean mayChangeSession(SqlLexer lexer) {
		boolean statementStart = true;
		boolean jdbcEscape = false;
		while (true) {
			switch (lexer.next()) {
				case END:
					return false;
				case MALFORMED:
					return true;
				case SEMICOLON:
					statementStart = true;
					jdbcEscape = false;
					break;
				case OPEN_PARENTHESIS:
					break;
				case OPEN_BRACE:
					// {call p(?)} and {? = call p(?)}: the command follows the brace.
					jdbcEscape = statementStart;
					break;
				case WORD:
					if ((statementStart && lexer.word().isAnyOf(LEADING_COMMANDS)) || lexer.word().isAnyOf(KEYWORDS)
							|| namesSessionFunctionOrSchema(lexer.word())) {
						return true;
					}
					statementStart = false;
					jdbcEscape = false;
					break;
				case NAME:
					if (namesSessionFunctionOrSchema(lexer.word())) {
						return true;
					}
					statementStart = false;
					jdbcEscape = false;
					break;
				default:
					statementStart = jdbcEscape;
			}
		}
	}

	private static boolean namesSessionFunctionOrSchema(SqlWord word) {
		// Every name looked for has an underscore, and most words have none.
		return word.hasUnderscore() && (word.startsWith(TEMPORARY_SCHEMA) || word.containsAnyOf(FUNCTION_PARTS));
	}

	private record Verdict(String sql, boolean changes) {
	}

}
