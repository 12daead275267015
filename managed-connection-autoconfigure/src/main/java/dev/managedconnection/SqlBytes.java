package dev.managedconnection;

/**
 * What PostgreSQL's scanner makes of each byte of UTF-8 SQL, for {@link SqlLexer} and
 * {@link SessionWords}: white space is {@code [ \t\n\r\f\v]}, and every byte of a non-ASCII
 * character may be part of a name, as in the server's {@code scan.l}.
 */
final class SqlBytes {

	private static final byte SPACE = 1;

	private static final byte DIGIT = 2;

	private static final byte IDENTIFIER_START = 4;

	private static final byte IDENTIFIER_PART = 8;

	/** What each ASCII character is; a table is cheaper than comparisons. */
	private static final byte[] ASCII = new byte[128];

	static {
		for (char c : " \t\n\r\f\u000B".toCharArray()) {
			ASCII[c] = SPACE;
		}
		for (char c = '0'; c <= '9'; c++) {
			ASCII[c] = DIGIT | IDENTIFIER_PART;
		}
		for (char c = 'a'; c <= 'z'; c++) {
			ASCII[c] = IDENTIFIER_START | IDENTIFIER_PART;
			ASCII[c - 'a' + 'A'] = IDENTIFIER_START | IDENTIFIER_PART;
		}
		ASCII['_'] = IDENTIFIER_START | IDENTIFIER_PART;
		ASCII['$'] = IDENTIFIER_PART;
	}

	private SqlBytes() {
	}

	static boolean isSpace(byte b) {
		return is(b, SPACE);
	}

	static boolean isDigit(byte b) {
		return is(b, DIGIT);
	}

	/**
	 * Return whether a word may begin with the byte.
	 * @param b the byte
	 * @return whether it is a letter, an underscore or a byte of a non-ASCII character
	 */
	static boolean isIdentifierStart(byte b) {
		return is(b, IDENTIFIER_START);
	}

	/**
	 * Return whether a word may go on with the byte.
	 * @param b the byte
	 * @return whether it is a letter, a digit, an underscore, a dollar sign or a byte of a
	 * non-ASCII character
	 */
	static boolean isIdentifierPart(byte b) {
		return is(b, IDENTIFIER_PART);
	}

	/** A byte below zero is one of a non-ASCII character's. */
	private static boolean is(byte b, byte kind) {
		return (b >= 0) ? (ASCII[b] & kind) != 0 : (kind & (IDENTIFIER_START | IDENTIFIER_PART)) != 0;
	}

	/**
	 * Return whether the bytes at the index are the given text, folding ASCII letters only, as
	 * the server does for keywords and unquoted names.
	 * @param bytes the bytes, long enough to hold the text at the index
	 * @param at the index
	 * @param lower lower-case ASCII text
	 * @return whether they match
	 */
	static boolean matchesIgnoringCase(byte[] bytes, int at, String lower) {
		for (int i = 0; i < lower.length(); i++) {
			int b = bytes[at + i];
			if (((b >= 'A' && b <= 'Z') ? b + ('a' - 'A') : b) != lower.charAt(i)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Return the index of the first byte equal to the ASCII character in the range.
	 * @param bytes the bytes
	 * @param c the ASCII character
	 * @param from the first index to look at
	 * @param to the index after the last one to look at
	 * @return the index, or -1
	 */
	static int indexOf(byte[] bytes, char c, int from, int to) {
		for (int at = from; at < to; at++) {
			if (bytes[at] == c) {
				return at;
			}
		}
		return -1;
	}

}
