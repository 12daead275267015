package dev.managedconnection;

import java.util.Arrays;

/**
 * Reads SQL the way PostgreSQL's scanner ({@code scan.l}) does, as far as
 * {@link SessionStatements} needs it: words, quoted names, statement separators and opening
 * brackets, with comments and white space skipped and every literal, number, parameter or
 * operator reduced to one {@link Token#OTHER} token.
 * <p>
 * Knows what hides SQL from a text search: block comments nest, a {@code --} comment ends at a
 * carriage return as well as a line feed, strings come as {@code '...'}, {@code E'...'} with
 * backslash escapes, {@code U&'...'} and {@code $tag$...$tag$}, and names as {@code "..."} or
 * {@code U&"..."}, whose escapes (with an optional {@code UESCAPE}) are decoded by
 * {@link UnicodeEscapes}. Whatever it cannot read exactly as the server would (an unterminated
 * comment, string or name, a bad escape, a NUL) is {@link Token#MALFORMED}, so that the caller
 * can assume the worst.
 * <p>
 * Reads the UTF-8 bytes of the SQL, as the server does (pgjdbc always sends UTF-8), in place:
 * only a decoded {@code U&} name is copied. Every byte of a non-ASCII character may be part of
 * a name.
 * <p>
 * Where a {@code '...'} string ends depends on the server's {@code standard_conforming_strings}:
 * on (the default), a backslash is an ordinary character; off, {@code \'} is a quote inside the
 * string. A lexer reads one way; {@link #sawBackslashBeforeQuote()} tells whether the other
 * way could have ended a string elsewhere.
 */
final class SqlLexer {

	/** What {@link #next()} found. */
	enum Token {

		/** An unquoted identifier or keyword. */
		WORD,

		/** A quoted identifier: {@code "..."} or, decoded, {@code U&"..."}. */
		NAME,

		/** {@code ;} */
		SEMICOLON,

		/** {@code (} */
		OPEN_PARENTHESIS,

		/** <code>{</code>, which opens a JDBC escape such as <code>{call p()}</code>. */
		OPEN_BRACE,

		/** Anything else: a literal, a number, a parameter, an operator or punctuation. */
		OTHER,

		/** Text the server may read differently from this lexer. */
		MALFORMED,

		/** The end of the SQL. */
		END

	}

	private static final char DEFAULT_ESCAPE = '\\';

	private final byte[] sql;

	private final int length;

	private final boolean hasNul;

	private final boolean standardConformingStrings;

	private boolean backslashBeforeQuote;

	private int position;

	private final SqlWord word = new SqlWord();

	/**
	 * Create a lexer for the SQL.
	 * @param sql the UTF-8 bytes of the SQL text
	 * @param standardConformingStrings whether to read {@code '...'} strings as the server does
	 * with {@code standard_conforming_strings} on; off, a string that runs to the end of the text
	 * ends the text: the server, reading so, would reject the statement and run nothing from it on
	 */
	SqlLexer(byte[] sql, boolean standardConformingStrings) {
		this.sql = sql;
		this.standardConformingStrings = standardConformingStrings;
		this.length = sql.length;
		// The protocol ends text at a NUL, so the server would not see what follows it.
		this.hasNul = SqlBytes.indexOf(sql, '\0', 0, sql.length) >= 0;
	}

	/**
	 * Read the next token.
	 * @return what was found; after {@link Token#END} or {@link Token#MALFORMED} the lexer is done
	 */
	Token next() {
		int at = skipSpaceAndComments(this.position);
		if (at < 0 || this.hasNul) {
			return Token.MALFORMED;
		}
		if (at >= this.length) {
			this.position = at;
			return Token.END;
		}
		byte c = this.sql[at];
		if (SqlBytes.isIdentifierStart(c)) {
			return word(at);
		}
		return switch (c) {
			case ';' -> single(at, Token.SEMICOLON);
			case '(' -> single(at, Token.OPEN_PARENTHESIS);
			case '{' -> single(at, Token.OPEN_BRACE);
			case '\'' -> string(at);
			case '"' -> name(at);
			case '$' -> dollar(at);
			default -> SqlBytes.isDigit(c) ? number(at) : single(at, Token.OTHER);
		};
	}

	/**
	 * Go on reading from the given index of the SQL.
	 * @param position the index of the next character to read
	 */
	void moveTo(int position) {
		this.position = position;
	}

	/**
	 * Return whether a {@code '...'} string read so far ended at a quote right after an odd
	 * number of backslashes, where the other reading of strings would not end it.
	 * @return whether reading with the other {@code standard_conforming_strings} may differ
	 */
	boolean sawBackslashBeforeQuote() {
		return this.backslashBeforeQuote;
	}

	/**
	 * Return the word or name read last, valid until the next call of {@link #next()}.
	 * @return the word
	 */
	SqlWord word() {
		return this.word;
	}

	private int skipSpaceAndComments(int from) {
		int at = from;
		while (at < this.length) {
			byte c = this.sql[at];
			if (SqlBytes.isSpace(c)) {
				at++;
			}
			else if (c == '-' && hasAt(at + 1, '-')) {
				at = endOfLineComment(at + 2);
			}
			else if (c == '/' && hasAt(at + 1, '*')) {
				at = endOfBlockComment(at + 2);
				if (at < 0) {
					return -1;
				}
			}
			else {
				break;
			}
		}
		return at;
	}

	private int endOfLineComment(int from) {
		for (int at = from; at < this.length; at++) {
			byte c = this.sql[at];
			if (c == '\n' || c == '\r') {
				return at + 1;
			}
		}
		return this.length;
	}

	/**
	 * Return where the block comment whose body starts at the index ends, counting nested
	 * comments as the server does, or -1 when it does not end.
	 */
	private int endOfBlockComment(int from) {
		int depth = 1;
		for (int at = from; at + 1 < this.length; at++) {
			byte c = this.sql[at];
			if (c == '*' && this.sql[at + 1] == '/') {
				at++;
				if (--depth == 0) {
					return at + 1;
				}
			}
			else if (c == '/' && this.sql[at + 1] == '*') {
				at++;
				depth++;
			}
		}
		return -1;
	}

	private Token word(int from) {
		int underscore = (this.sql[from] == '_') ? from : -1;
		int at = from + 1;
		for (byte c; at < this.length && SqlBytes.isIdentifierPart(c = this.sql[at]); at++) {
			if (c == '_' && underscore < 0) {
				underscore = at;
			}
		}
		// A one-letter word right before a quote is a prefix: E'...', U&'...', U&"...".
		if (at == from + 1 && at < this.length) {
			int prefix = lowerCase(this.sql[from]);
			byte next = this.sql[at];
			if (prefix == 'e' && next == '\'') {
				return escapeString(at);
			}
			if (prefix == 'u' && next == '&' && at + 1 < this.length) {
				byte quote = this.sql[at + 1];
				if (quote == '\'') {
					return string(at + 1);
				}
				if (quote == '"') {
					return unicodeName(at + 1);
				}
			}
		}
		return found(Token.WORD, this.sql, from, at, at, underscore);
	}

	/**
	 * Read a string in single quotes ({@code '...'}, {@code U&'...'}, and {@code B}, {@code X}
	 * or {@code N} before it), whose backslashes are escapes only when standard conforming
	 * strings are off.
	 */
	private Token string(int quote) {
		if (!this.standardConformingStrings) {
			Token token = escapeString(quote);
			return (token == Token.MALFORMED) ? skipTo(this.length) : token;
		}
		int backslashes = 0;
		for (int at = quote + 1; at < this.length; at++) {
			byte c = this.sql[at];
			if (c == '\'') {
				this.backslashBeforeQuote |= (backslashes & 1) != 0;
				if (!hasAt(at + 1, '\'')) {
					return skipTo(at + 1);
				}
				at++;
				backslashes = 0;
			}
			else {
				backslashes = (c == '\\') ? backslashes + 1 : 0;
			}
		}
		return Token.MALFORMED;
	}

	/** Read a string whose backslashes escape the next character: {@code E'...'}. */
	private Token escapeString(int quote) {
		for (int at = quote + 1; at < this.length; at++) {
			byte c = this.sql[at];
			if (c == '\\') {
				at++;
			}
			else if (c == '\'') {
				if (!hasAt(at + 1, '\'')) {
					return skipTo(at + 1);
				}
				at++;
			}
		}
		return Token.MALFORMED;
	}

	private Token name(int quote) {
		int close = closingDoubleQuote(quote);
		if (close < 0) {
			return Token.MALFORMED;
		}
		return found(Token.NAME, this.sql, quote + 1, close, close + 1, SqlBytes.indexOf(this.sql, '_', quote + 1, close));
	}

	private Token unicodeName(int quote) {
		int close = closingDoubleQuote(quote);
		if (close < 0) {
			return Token.MALFORMED;
		}
		int escape = escapeCharacter(close + 1);
		byte[] decoded = (escape < 0) ? null : UnicodeEscapes.decode(this.sql, quote + 1, close, (char) escape);
		if (decoded == null) {
			return Token.MALFORMED;
		}
		return found(Token.NAME, decoded, 0, decoded.length, close + 1, SqlBytes.indexOf(decoded, '_', 0, decoded.length));
	}

	/**
	 * Return the closing quote of a quoted name, or -1 when the name does not end or is empty
	 * (which the server rejects).
	 */
	private int closingDoubleQuote(int quote) {
		int at = SqlBytes.indexOf(this.sql, '"', quote + 1, this.length);
		while (at >= 0 && hasAt(at + 1, '"')) {
			at = SqlBytes.indexOf(this.sql, '"', at + 2, this.length);
		}
		return (at == quote + 1) ? -1 : at;
	}

	/**
	 * Return the escape character of a {@code U&} name: the one its {@code UESCAPE} clause
	 * names, the backslash without one, or -1 for a clause this lexer does not read exactly.
	 */
	private int escapeCharacter(int from) {
		int at = skipSpaceAndComments(from);
		if (at < 0) {
			return -1;
		}
		if (!isWordAt(at, "uescape")) {
			return DEFAULT_ESCAPE;
		}
		// Only the plain one-character form: the server takes other forms too ($$!$$, E'!').
		at = skipSpaceAndComments(at + "uescape".length());
		if (at < 0 || at + 2 >= this.length || this.sql[at] != '\'' || this.sql[at + 2] != '\'' || hasAt(at + 3, '\'')) {
			return -1;
		}
		// A byte below zero is part of a non-ASCII character, which the server rejects.
		byte escape = this.sql[at + 1];
		return (escape > 0 && UnicodeEscapes.isValidEscape((char) escape)) ? escape : -1;
	}

	/**
	 * Read a parameter ({@code $1}), a dollar-quoted string ({@code $$...$$},
	 * {@code $tag$...$tag$}) or a lone dollar sign.
	 */
	private Token dollar(int from) {
		int at = from + 1;
		if (at < this.length && SqlBytes.isDigit(this.sql[at])) {
			return number(at);
		}
		while (at < this.length && SqlBytes.isIdentifierPart(this.sql[at]) && this.sql[at] != '$') {
			at++;
		}
		if (!hasAt(at, '$')) {
			return skipTo(from + 1);
		}
		// After a number (1$$) the server sees a dollar quote where pgjdbc sees none.
		if (from > 0 && SqlBytes.isIdentifierPart(this.sql[from - 1])) {
			return Token.MALFORMED;
		}
		int tagLength = at + 1 - from;
		for (int close = SqlBytes.indexOf(this.sql, '$', at + 1, this.length); close >= 0
				&& close + tagLength <= this.length; close = SqlBytes.indexOf(this.sql, '$', close + 1, this.length)) {
			if (Arrays.equals(this.sql, close, close + tagLength, this.sql, from, from + tagLength)) {
				return skipTo(close + tagLength);
			}
		}
		return Token.MALFORMED;
	}

	private Token number(int from) {
		int at = from;
		while (at < this.length && SqlBytes.isDigit(this.sql[at])) {
			at++;
		}
		return skipTo(at);
	}

	private Token single(int at, Token token) {
		this.position = at + 1;
		return token;
	}

	private Token skipTo(int next) {
		this.position = next;
		return Token.OTHER;
	}

	private Token found(Token token, byte[] text, int start, int end, int next, int underscore) {
		this.word.set(text, start, end, underscore);
		this.position = next;
		return token;
	}

	private boolean isWordAt(int at, String lower) {
		int end = at + lower.length();
		return end <= this.length && (end == this.length || !SqlBytes.isIdentifierPart(this.sql[end]))
				&& SqlBytes.matchesIgnoringCase(this.sql, at, lower);
	}

	private boolean hasAt(int at, char c) {
		return at < this.length && this.sql[at] == c;
	}

	/** Folds ASCII letters only: the server does not fold other letters in keywords. */
	private static int lowerCase(byte b) {
		return (b >= 'A' && b <= 'Z') ? b + ('a' - 'A') : b;
	}

}
