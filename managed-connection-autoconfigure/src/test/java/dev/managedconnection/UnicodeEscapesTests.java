package dev.managedconnection;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link UnicodeEscapes}.
 */
class UnicodeEscapesTests {

	@Test
	void decodesFourAndSixDigitEscapesDoubledEscapesAndDoubledQuotes() {
		assertThat(decode("set\\005fconfig", '\\')).isEqualTo("set_config");
		assertThat(decode("pg\\+00005Ftemp", '\\')).isEqualTo("pg_temp");
		assertThat(decode("a!0062!!c", '!')).isEqualTo("ab!c");
		assertThat(decode("a\\b", '!')).isEqualTo("a\\b");
		assertThat(decode("say \"\"hi\"\"", '\\')).isEqualTo("say \"hi\"");
	}

	@Test
	void joinsSurrogatePairs() {
		assertThat(decode("\\D83D\\DE00", '\\')).isEqualTo("\uD83D\uDE00");
		assertThat(decode("\\+01F600", '\\')).isEqualTo("\uD83D\uDE00");
	}

	@ParameterizedTest
	@ValueSource(strings = { "\\", "a\\", "\\00", "\\00g1", "\\+00005", "\\0000", "\\+110000", "\\D83D", "\\D83Dx",
			"\\D83D\\\\", "\\DE00", "\\D83D\\0041" })
	void rejectsWhatTheServerRejects(String body) {
		assertThat(decode(body, '\\')).isNull();
	}

	@Test
	void acceptsAsEscapeCharacterWhatTheServerAccepts() {
		assertThat(UnicodeEscapes.isValidEscape('!')).isTrue();
		assertThat(UnicodeEscapes.isValidEscape('\\')).isTrue();
		assertThat(UnicodeEscapes.isValidEscape('g')).isTrue();
		for (char c : new char[] { 'a', 'F', '0', '+', '\'', '"', ' ', '\t', '\n', '\u00e9' }) {
			assertThat(UnicodeEscapes.isValidEscape(c)).as("'%s'", c).isFalse();
		}
	}

	private static String decode(String body, char escape) {
		String sql = "U&\"" + body + "\"";
		return UnicodeEscapes.decode(sql, 3, sql.length() - 1, escape);
	}

}
