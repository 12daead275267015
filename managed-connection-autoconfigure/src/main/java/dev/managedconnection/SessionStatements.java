package dev.managedconnection;

/**
 * Tells, from its text alone, whether SQL may change the server session beyond the current
 * transaction, so that {@link SessionReset#DISCARD_ALL} pays its round trip only when needed.
 * <p>
 * Deliberately conservative: a false alarm costs one {@code DISCARD ALL}; a miss would hand
 * session state to the next holder. It flags statements that begin with a session command
 * ({@code SET}, {@code RESET}, {@code PREPARE}, {@code DECLARE}, {@code LOAD}, {@code DO},
 * {@code CALL}, {@code DISCARD}) and text that mentions temporary objects, {@code LISTEN},
 * session advisory locks, {@code set_config} or cursors {@code WITH HOLD}. A function that
 * changes the session inside its body is not visible here; see {@link SessionReset}.
 */
final class SessionStatements {

	private static final String[] LEADING_COMMANDS = { "set", "reset", "prepare", "declare", "load", "do", "call",
			"discard" };

	private static final String[] ANYWHERE = { "temp", "listen", "advisory_lock", "set_config", "with hold" };

	private SessionStatements() {
	}

	/**
	 * Return whether the SQL may change session state.
	 * @param sql the SQL text, possibly several statements
	 * @return whether a {@code DISCARD ALL} is needed after it
	 */
	static boolean mayChangeSession(String sql) {
		for (int i = 0; i < sql.length(); i++) {
			for (String fragment : ANYWHERE) {
				if (sql.regionMatches(true, i, fragment, 0, fragment.length())) {
					return true;
				}
			}
		}
		int start = 0;
		while (start < sql.length()) {
			int command = skipSpaceAndComments(sql, start);
			for (String leading : LEADING_COMMANDS) {
				if (isWord(sql, command, leading)) {
					return true;
				}
			}
			int next = sql.indexOf(';', command);
			if (next < 0) {
				return false;
			}
			start = next + 1;
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

	private static boolean isWord(String sql, int at, String word) {
		int end = at + word.length();
		return sql.regionMatches(true, at, word, 0, word.length())
				&& (end == sql.length() || !Character.isLetterOrDigit(sql.charAt(end)) && sql.charAt(end) != '_');
	}

}
