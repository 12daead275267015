package dev.managedconnection;

import java.util.List;
import java.util.Random;

/**
 * Writes random spellings of one statement that PostgreSQL reads as the same statement, for the
 * fuzz tests of {@link SessionStatements}: keywords in random case, white space and (nested)
 * comments between the tokens, empty or harmless statements before it, and names plain, quoted
 * or as {@code U&"..."} with random escapes.
 * <p>
 * A statement is a list of tokens: a word in capitals is a keyword, a word after {@code @} is a
 * name, anything else is written as it is; no space goes around a {@code .}.
 */
final class SqlVariants {

	private static final String[] BEFORE = { "", ";", ";;", "SELECT 1;", "select 'a;b' ;", "/* ; */ ;",
			"SELECT $$;$$;", "SELECT 1 -- x\n;" };

	private static final String[] AFTER = { "", ";", "; SELECT 1", " -- done" };

	private static final char[] SPACE = { ' ', '\t', '\n', '\r', '\f' };

	/** Harmless inside a comment, and none can end it: no '*' or '/'. */
	private static final String COMMENT_TEXT = "abc XYZ 09;'\"$-_\t\n\r";

	private static final String ESCAPES = "!#%:=?@^~|";

	private final Random random;

	SqlVariants(Random random) {
		this.random = random;
	}

	/**
	 * Write one random spelling of the statement.
	 * @param tokens the statement's tokens
	 * @return the SQL text
	 */
	String variant(List<String> tokens) {
		StringBuilder sql = new StringBuilder(pick(BEFORE));
		if (this.random.nextBoolean()) {
			appendSeparator(sql);
		}
		for (int i = 0; i < tokens.size(); i++) {
			String token = tokens.get(i);
			if (i > 0 && !token.equals(".") && !tokens.get(i - 1).equals(".")) {
				appendSeparator(sql);
			}
			if (token.startsWith("@")) {
				appendName(sql, token.substring(1));
			}
			else if (isKeyword(token)) {
				appendInRandomCase(sql, token);
			}
			else {
				sql.append(token);
			}
		}
		return sql.append(pick(AFTER)).toString();
	}

	private void appendSeparator(StringBuilder sql) {
		int pieces = 1 + this.random.nextInt(2);
		for (int i = 0; i < pieces; i++) {
			switch (this.random.nextInt(4)) {
				case 0 -> appendBlockComment(sql, this.random.nextInt(3));
				case 1 -> appendLineComment(sql);
				default -> {
					for (int n = 1 + this.random.nextInt(3); n > 0; n--) {
						sql.append(SPACE[this.random.nextInt(SPACE.length)]);
					}
				}
			}
		}
	}

	private void appendBlockComment(StringBuilder sql, int nested) {
		sql.append("/*");
		appendCommentText(sql, COMMENT_TEXT);
		if (nested > 0) {
			appendBlockComment(sql, nested - 1);
			appendCommentText(sql, COMMENT_TEXT);
		}
		sql.append("*/");
	}

	private void appendLineComment(StringBuilder sql) {
		sql.append("--");
		// A line comment may hold what would open a block comment or a string elsewhere.
		appendCommentText(sql, "abc ;'\"$/*-");
		sql.append(this.random.nextBoolean() ? '\n' : '\r');
	}

	private void appendCommentText(StringBuilder sql, String alphabet) {
		for (int n = this.random.nextInt(8); n > 0; n--) {
			sql.append(alphabet.charAt(this.random.nextInt(alphabet.length())));
		}
	}

	private void appendName(StringBuilder sql, String name) {
		switch (this.random.nextInt(3)) {
			case 0 -> appendInRandomCase(sql, name);
			case 1 -> sql.append('"').append(name).append('"');
			default -> appendUnicodeName(sql, name);
		}
	}

	private void appendUnicodeName(StringBuilder sql, String name) {
		boolean uescape = this.random.nextBoolean();
		char escape = uescape ? ESCAPES.charAt(this.random.nextInt(ESCAPES.length())) : '\\';
		sql.append(this.random.nextBoolean() ? "U&\"" : "u&\"");
		for (char c : name.toCharArray()) {
			switch (this.random.nextInt(3)) {
				case 0 -> sql.append(escape).append(hex(c, 4));
				case 1 -> sql.append(escape).append('+').append(hex(c, 6));
				default -> sql.append(c);
			}
		}
		sql.append('"');
		if (uescape) {
			appendSeparator(sql);
			appendInRandomCase(sql, "UESCAPE");
			appendSeparator(sql);
			sql.append('\'').append(escape).append('\'');
		}
	}

	/** The code of the character in hex digits of random case. */
	private String hex(char c, int digits) {
		String hex = String.format("%0" + digits + "x", (int) c);
		StringBuilder mixed = new StringBuilder(digits);
		for (char digit : hex.toCharArray()) {
			mixed.append(this.random.nextBoolean() ? Character.toUpperCase(digit) : digit);
		}
		return mixed.toString();
	}

	private void appendInRandomCase(StringBuilder sql, String word) {
		for (char c : word.toCharArray()) {
			sql.append(this.random.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
		}
	}

	private String pick(String[] choices) {
		return choices[this.random.nextInt(choices.length)];
	}

	private static boolean isKeyword(String token) {
		return token.chars().allMatch((c) -> (c >= 'A' && c <= 'Z') || c == '_');
	}

}
