package dev.managedconnection;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Tells, from its text alone, whether SQL may change the server session beyond the current
 * transaction, so that {@link SessionReset#DISCARD_ALL} pays its round trip only when needed.
 * <p>
 * Deliberately conservative: a false alarm costs one {@code DISCARD ALL}; a miss would hand
 * session state to the next holder. It flags statements that begin with a session command
 * ({@code SET}, {@code RESET}, {@code PREPARE}, {@code DECLARE}, {@code LOAD}, {@code DO},
 * {@code CALL}, {@code DISCARD}, {@code LISTEN}, {@code UNLISTEN}) and text with the words
 * {@code TEMP}, {@code TEMPORARY} or {@code HOLD}, or the functions of session advisory locks or
 * {@code set_config}. A function that
 * changes the session inside its body is not visible here; see {@link SessionReset}.
 */
final class SessionStatements {

	private static final String[] LEADING_COMMANDS = { "set", "reset", "prepare", "declare", "load", "do", "call",
			"discard", "listen", "unlisten" };

	/** Whole words that make a temporary object or a cursor that outlives its transaction. */
	private static final String[] WORDS = { "temp", "temporary", "hold" };

	/** Function names, matched anywhere: {@code pg_advisory_lock}, {@code pg_try_advisory_lock_shared}. */
	private static final String[] FUNCTIONS = { "advisory_lock", "set_config" };

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
	 * Return whether the SQL may change session state. Makes one lower-case copy and then
	 * only {@code indexOf} searches rather than comparing at every character.
	 * @param sql the SQL text, possibly several statements
	 * @return whether a {@code DISCARD ALL} is needed after it
	 */
	static boolean mayChangeSession(String sql) {
		String lower = sql.toLowerCase(Locale.ROOT);
		for (String function : FUNCTIONS) {
			if (lower.contains(function)) {
				return true;
			}
		}
		for (String word : WORDS) {
			if (containsWord(lower, word)) {
				return true;
			}
		}
		int start = 0;
		while (start < lower.length()) {
			int command = skipSpaceAndComments(lower, start);
			for (String leading : LEADING_COMMANDS) {
				if (isWordAt(lower, command, leading)) {
					return true;
				}
			}
			int next = lower.indexOf(';', command);
			if (next < 0) {
				return false;
			}
			start = next + 1;
		}
		return false;
	}

	private static boolean containsWord(String lower, String word) {
		for (int at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1)) {
			if ((at == 0 || !isIdentifierPart(lower.charAt(at - 1))) && isWordAt(lower, at, word)) {
				return true;
			}
		}
		return false;
	}

	private static int skipSpaceAndComments(String sql, int from) {
		int i = from;
		while (i < sql.length()) {
			char c = sql.charAt(i);
			if (Character.isWhitespace(c) || c == '(') {
				i++;
			}
			else if (sql.startsWith("--", i)) {
				int end = sql.indexOf('\n', i);
				i = (end < 0) ? sql.length() : end + 1;
			}
			else if (sql.startsWith("/*", i)) {
				int end = sql.indexOf("*/", i + 2);
				i = (end < 0) ? sql.length() : end + 2;
			}
			else {
				break;
			}
		}
		return i;
	}

	private static boolean isWordAt(String lower, int at, String word) {
		int end = at + word.length();
		return lower.startsWith(word, at) && (end == lower.length() || !isIdentifierPart(lower.charAt(end)));
	}

	private static boolean isIdentifierPart(char c) {
		return Character.isLetterOrDigit(c) || c == '_' || c == '$';
	}

	private record Verdict(String sql, boolean changes) {
	}

}
