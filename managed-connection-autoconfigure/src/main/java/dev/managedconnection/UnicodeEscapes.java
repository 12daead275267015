package dev.managedconnection;

import org.jspecify.annotations.Nullable;

/**
 * Decodes the body of a {@code U&"..."} name for {@link SqlLexer}, as the server's
 * {@code str_udeescape} does: {@code \XXXX} and {@code \+XXXXXX} name a code point in hex,
 * UTF-16 surrogate pairs are written as two escapes, a doubled escape character stands for
 * itself, and a doubled quote for a quote. Whatever the server would reject is rejected here.
 */
final class UnicodeEscapes {

	private UnicodeEscapes() {
	}

	/**
	 * Return whether the server accepts the character as a {@code UESCAPE} character.
	 * @param c the character
	 * @return whether it is one byte and neither a hex digit, {@code +}, a quote nor white space
	 */
	static boolean isValidEscape(char c) {
		return c > ' ' && c < 0x7F && hex(c) < 0 && c != '+' && c != '\'' && c != '"';
	}

	/**
	 * Decode the body of a {@code U&} name.
	 * @param sql the text holding the name
	 * @param from the index of the body's first character
	 * @param to the index of the closing quote
	 * @param escape the escape character
	 * @return the name, or {@code null} when the server would reject the escapes
	 */
	static @Nullable String decode(String sql, int from, int to, char escape) {
		StringBuilder name = new StringBuilder(to - from);
		int highSurrogate = 0;
		int at = from;
		while (at < to) {
			char c = sql.charAt(at);
			if (c != escape) {
				if (highSurrogate != 0) {
					return null;
				}
				name.append(c);
				// Inside the name a quote is doubled.
				at += (c == '"') ? 2 : 1;
				continue;
			}
			int codePoint;
			if (at + 1 < to && sql.charAt(at + 1) == escape) {
				if (highSurrogate != 0) {
					return null;
				}
				name.append(escape);
				at += 2;
				continue;
			}
			else if ((codePoint = hex(sql, at + 1, 4, to)) >= 0) {
				at += 5;
			}
			else if (at + 1 < to && sql.charAt(at + 1) == '+' && (codePoint = hex(sql, at + 2, 6, to)) >= 0) {
				at += 8;
			}
			else {
				return null;
			}
			if (codePoint == 0 || codePoint > Character.MAX_CODE_POINT) {
				return null;
			}
			if (highSurrogate != 0) {
				if (!Character.isLowSurrogate((char) codePoint) || codePoint > 0xFFFF) {
					return null;
				}
				name.appendCodePoint(Character.toCodePoint((char) highSurrogate, (char) codePoint));
				highSurrogate = 0;
			}
			else if (codePoint <= 0xFFFF && Character.isLowSurrogate((char) codePoint)) {
				return null;
			}
			else if (codePoint <= 0xFFFF && Character.isHighSurrogate((char) codePoint)) {
				highSurrogate = codePoint;
			}
			else {
				name.appendCodePoint(codePoint);
			}
		}
		return (highSurrogate != 0) ? null : name.toString();
	}

	/**
	 * Return the value of the given number of hex digits at the index, or -1 when there are
	 * not as many before the end.
	 */
	private static int hex(String sql, int from, int digits, int to) {
		if (from + digits > to) {
			return -1;
		}
		int value = 0;
		for (int at = from; at < from + digits; at++) {
			int digit = hex(sql.charAt(at));
			if (digit < 0) {
				return -1;
			}
			value = (value << 4) | digit;
		}
		return value;
	}

	/** ASCII hex digits only, as C's {@code isxdigit}. */
	private static int hex(char c) {
		if (c >= '0' && c <= '9') {
			return c - '0';
		}
		char lower = (char) (c | 0x20);
		return (lower >= 'a' && lower <= 'f') ? lower - 'a' + 10 : -1;
	}

}
