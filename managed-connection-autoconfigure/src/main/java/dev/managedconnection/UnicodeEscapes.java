package dev.managedconnection;

import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * Decodes the UTF-8 body of a {@code U&"..."} name for {@link SqlLexer}, as the server's
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
	 * @param sql the UTF-8 bytes of the text holding the name
	 * @param from the index of the body's first byte
	 * @param to the index of the closing quote
	 * @param escape the escape character
	 * @return the UTF-8 bytes of the name, or {@code null} when the server would reject the
	 * escapes
	 */
	static byte @Nullable [] decode(byte[] sql, int from, int to, char escape) {
		// Every escape is longer than the UTF-8 bytes it stands for.
		byte[] name = new byte[to - from];
		int length = 0;
		int highSurrogate = 0;
		int at = from;
		while (at < to) {
			int c = sql[at] & 0xFF;
			if (c != escape) {
				if (highSurrogate != 0) {
					return null;
				}
				name[length++] = sql[at];
				// Inside the name a quote is doubled.
				at += (c == '"') ? 2 : 1;
				continue;
			}
			int codePoint;
			if (at + 1 < to && sql[at + 1] == escape) {
				if (highSurrogate != 0) {
					return null;
				}
				name[length++] = (byte) escape;
				at += 2;
				continue;
			}
			else if ((codePoint = hex(sql, at + 1, 4, to)) >= 0) {
				at += 5;
			}
			else if (at + 1 < to && sql[at + 1] == '+' && (codePoint = hex(sql, at + 2, 6, to)) >= 0) {
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
				length = appendUtf8(name, length, Character.toCodePoint((char) highSurrogate, (char) codePoint));
				highSurrogate = 0;
			}
			else if (codePoint <= 0xFFFF && Character.isLowSurrogate((char) codePoint)) {
				return null;
			}
			else if (codePoint <= 0xFFFF && Character.isHighSurrogate((char) codePoint)) {
				highSurrogate = codePoint;
			}
			else {
				length = appendUtf8(name, length, codePoint);
			}
		}
		return (highSurrogate != 0) ? null : Arrays.copyOf(name, length);
	}

	private static int appendUtf8(byte[] bytes, int length, int codePoint) {
		int at = length;
		if (codePoint < 0x80) {
			bytes[at++] = (byte) codePoint;
		}
		else if (codePoint < 0x800) {
			bytes[at++] = (byte) (0xC0 | codePoint >> 6);
			bytes[at++] = (byte) (0x80 | codePoint & 0x3F);
		}
		else if (codePoint < 0x10000) {
			bytes[at++] = (byte) (0xE0 | codePoint >> 12);
			bytes[at++] = (byte) (0x80 | codePoint >> 6 & 0x3F);
			bytes[at++] = (byte) (0x80 | codePoint & 0x3F);
		}
		else {
			bytes[at++] = (byte) (0xF0 | codePoint >> 18);
			bytes[at++] = (byte) (0x80 | codePoint >> 12 & 0x3F);
			bytes[at++] = (byte) (0x80 | codePoint >> 6 & 0x3F);
			bytes[at++] = (byte) (0x80 | codePoint & 0x3F);
		}
		return at;
	}

	/**
	 * Return the value of the given number of hex digits at the index, or -1 when there are
	 * not as many before the end.
	 */
	private static int hex(byte[] sql, int from, int digits, int to) {
		if (from + digits > to) {
			return -1;
		}
		int value = 0;
		for (int at = from; at < from + digits; at++) {
			int digit = hex((char) (sql[at] & 0xFF));
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
