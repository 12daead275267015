package dev.managedconnection;

import java.util.stream.Stream;

/**
 * The word or name a {@link SqlLexer} read last, compared as the server compares keywords:
 * in any ASCII case. Bytes of the SQL, or of a decoded {@code U&} name; set again for every
 * word, so that reading allocates nothing.
 */
final class SqlWord {

	private byte[] text = new byte[0];

	private int start;

	private int end;

	/** The index in {@link #text} of the first underscore, or -1. */
	private int underscore = -1;

	void set(byte[] text, int start, int end, int underscore) {
		this.text = text;
		this.start = start;
		this.end = end;
		this.underscore = underscore;
	}

	/**
	 * Return whether the word is one of the given words.
	 * @param words lower-case words
	 * @return whether it is one of them
	 */
	boolean isAnyOf(String[] words) {
		int length = this.end - this.start;
		for (String word : words) {
			if (word.length() == length && SqlBytes.matchesIgnoringCase(this.text, this.start, word)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Return whether the word has an underscore.
	 * @return whether it has one
	 */
	boolean hasUnderscore() {
		return this.underscore >= 0;
	}

	/**
	 * Return whether the word starts with the given text.
	 * @param prefix lower-case text
	 * @return whether it does
	 */
	boolean startsWith(String prefix) {
		return this.end - this.start >= prefix.length() && SqlBytes.matchesIgnoringCase(this.text, this.start, prefix);
	}

	/**
	 * Return whether the word contains one of the given texts.
	 * @param parts lower-case texts, each with an underscore
	 * @return whether it contains one
	 */
	boolean containsAnyOf(Parts parts) {
		if (this.underscore < 0) {
			return false;
		}
		for (int i = 0; i < parts.texts().length; i++) {
			if (contains(parts.texts()[i], parts.underscores()[i])) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Return whether the word contains the text, trying only where the text's first underscore
	 * meets one of the word's: most words have none, the rest one or two.
	 */
	private boolean contains(String part, int offset) {
		int last = this.end - part.length();
		for (int at = this.underscore; at >= 0; at = SqlBytes.indexOf(this.text, '_', at + 1, this.end)) {
			int from = at - offset;
			if (from > last) {
				return false;
			}
			if (from >= this.start && SqlBytes.matchesIgnoringCase(this.text, from, part)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Lower-case texts to look for in words with {@link #containsAnyOf}, each with the index of
	 * its first underscore.
	 *
	 * @param texts the texts
	 * @param underscores the index of each text's first underscore
	 */
	record Parts(String[] texts, int[] underscores) {

		/**
		 * Return the given texts as parts.
		 * @param texts lower-case texts, each with an underscore
		 * @return the parts
		 */
		static Parts of(String... texts) {
			return new Parts(texts, Stream.of(texts).mapToInt((text) -> text.indexOf('_')).toArray());
		}

	}

}
