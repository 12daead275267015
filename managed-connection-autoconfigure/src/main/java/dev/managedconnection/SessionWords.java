package dev.managedconnection;

import java.util.ArrayList;
import java.util.List;

import dev.managedconnection.SqlLexer.Token;

/**
 * A quick look for the words that {@link SessionStatements} flags, so that it reads token by
 * token only SQL that may hold one: most SQL holds none, and this look costs less than reading
 * it, one pass over the UTF-8 bytes of the text that stops only at a few pairs of bytes.
 * <p>
 * Sound for every reading of the text, by the server or by {@link SqlLexer}: a keyword or a
 * name cannot appear without its letters, except in a {@code U&} name, which can spell
 * anything and so counts as a possible word; a command can begin a statement only at the start
 * of the text or after a semicolon. Texts with a word are then read in full, so a text with
 * none is let through even when the lexer would not read it exactly as the server would.
 */
final class SessionWords {

	/** The characters of names and keywords, roughly the most common in SQL first. */
	private static final String CHARACTERS_BY_FREQUENCY = "etaoin_srcldumphfgwybvkxjqz";

	private final String[] leadingCommands;

	private final List<Needle> needles = new ArrayList<>();

	/**
	 * The pairs of bytes where the look stops, at {@code previous << 7 | current}, each taken
	 * modulo 128: a needle stops it at its rarest pair, in any case; a semicolon, an ampersand
	 * or a NUL after any byte. Bytes of non-ASCII characters may stop it too, where the modulo
	 * makes them look like these; {@link #isFoundAt} looks at the real ones.
	 */
	private final boolean[] stops = new boolean[128 * 128];

	/**
	 * Create a look for the given words, all in lower case.
	 * @param leadingCommands commands flagged at the start of a statement
	 * @param keywords keywords flagged anywhere as whole words
	 * @param prefixes what a flagged name starts with
	 * @param parts what a flagged name contains
	 */
	SessionWords(String[] leadingCommands, String[] keywords, String[] prefixes, String[] parts) {
		this.leadingCommands = leadingCommands;
		for (String keyword : keywords) {
			add(new Needle(keyword, anchor(keyword), true, true));
		}
		for (String prefix : prefixes) {
			add(new Needle(prefix, anchor(prefix), true, false));
		}
		for (String part : parts) {
			add(new Needle(part, anchor(part), false, false));
		}
		for (int previous = 0; previous < 128; previous++) {
			stopAt((char) previous, ';');
			stopAt((char) previous, '&');
			stopAt((char) previous, '\0');
		}
	}

	private void add(Needle needle) {
		this.needles.add(needle);
		char previous = needle.text().charAt(needle.anchor() - 1);
		char current = needle.text().charAt(needle.anchor());
		for (char p : new char[] { previous, Character.toUpperCase(previous) }) {
			for (char c : new char[] { current, Character.toUpperCase(current) }) {
				stopAt(p, c);
			}
		}
	}

	private void stopAt(char previous, char current) {
		this.stops[previous << 7 | current] = true;
	}

	/**
	 * Return whether the SQL may hold one of the words.
	 * @param sql the UTF-8 bytes of the SQL text
	 * @return {@code false} only if no reading of the SQL finds one
	 */
	boolean mayBeIn(byte[] sql) {
		if (beginsWithCommand(sql, 0)) {
			return true;
		}
		boolean[] stops = this.stops;
		int previous = ' ';
		// The loop only looks: whatever a stop needs is done elsewhere, which keeps it tight.
		for (int at = 0; at < sql.length; at++) {
			int c = sql[at] & 127;
			if (stops[previous << 7 | c] && isFoundAt(sql, at)) {
				return true;
			}
			previous = c;
		}
		return false;
	}

	private boolean isFoundAt(byte[] sql, int at) {
		byte c = sql[at];
		if (c == '&' || c == '\0') {
			// A U& name can spell any name, and a NUL is for the lexer to judge.
			return true;
		}
		if (c == ';') {
			return beginsWithCommand(sql, at + 1);
		}
		for (Needle needle : this.needles) {
			if (needle.isAt(sql, at - needle.anchor())) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Return whether the statement that may start at the index may begin with a command. A
	 * word after spaces, as most statements begin, is compared here; the lexer reads the rest.
	 */
	private boolean beginsWithCommand(byte[] sql, int start) {
		int at = start;
		while (at < sql.length && sql[at] == ' ') {
			at++;
		}
		if (at < sql.length && SqlBytes.isIdentifierStart(sql[at])) {
			int end = at + 1;
			while (end < sql.length && SqlBytes.isIdentifierPart(sql[end])) {
				end++;
			}
			return isLeadingCommand(sql, at, end);
		}
		SqlLexer lexer = new SqlLexer(sql, true);
		lexer.moveTo(start);
		Token token = lexer.next();
		while (token == Token.OPEN_PARENTHESIS) {
			token = lexer.next();
		}
		return token == Token.MALFORMED || token == Token.OPEN_BRACE
				|| (token == Token.WORD && lexer.word().isAnyOf(this.leadingCommands));
	}

	private boolean isLeadingCommand(byte[] sql, int start, int end) {
		for (String command : this.leadingCommands) {
			if (command.length() == end - start && SqlBytes.matchesIgnoringCase(sql, start, command)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Return the index of the second character of the text's rarest pair of characters, where
	 * the look stops for it.
	 */
	private static int anchor(String text) {
		int anchor = 1;
		for (int i = 2; i < text.length(); i++) {
			if (rarity(text, i) > rarity(text, anchor)) {
				anchor = i;
			}
		}
		return anchor;
	}

	private static int rarity(String text, int second) {
		return CHARACTERS_BY_FREQUENCY.indexOf(text.charAt(second - 1))
				+ CHARACTERS_BY_FREQUENCY.indexOf(text.charAt(second));
	}

	/**
	 * Lower-case text to find in any ASCII case.
	 *
	 * @param text the text
	 * @param anchor the index of the second character of the pair the look stops at
	 * @param wordStart whether the text must start a word
	 * @param wordEnd whether the text must not go on into a longer word
	 */
	private record Needle(String text, int anchor, boolean wordStart, boolean wordEnd) {

		/**
		 * Return whether the text is in the SQL at the index.
		 */
		boolean isAt(byte[] sql, int from) {
			return from >= 0 && from + this.text.length() <= sql.length && SqlBytes.matchesIgnoringCase(sql, from, this.text)
					&& (!this.wordStart || startsWord(sql, from))
					&& (!this.wordEnd || endsWord(sql, from + this.text.length()));
		}

		/**
		 * Return whether a word may start at the index: not after a letter or an underscore. A
		 * digit or a dollar sign before it may end a number, a parameter or a dollar quote.
		 */
		private static boolean startsWord(byte[] sql, int at) {
			return at == 0 || !isLetter(sql[at - 1]);
		}

		private static boolean endsWord(byte[] sql, int end) {
			if (end == sql.length) {
				return true;
			}
			byte c = sql[end];
			return !isLetter(c) && !(c >= '0' && c <= '9') && c != '$';
		}

		/** A byte below zero is one of a non-ASCII character's. */
		private static boolean isLetter(byte c) {
			return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c < 0;
		}

	}

}
