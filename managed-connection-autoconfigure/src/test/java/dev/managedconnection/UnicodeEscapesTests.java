package dev.managedconnection;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
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
		assertThat(decode("caf\u00e9 \\00e9t\\+0000e9", '\\')).isEqualTo("caf\u00e9 \u00e9t\u00e9");
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

	private static @Nullable String decode(String body, char escape) {
		byte[] sql = ("U&\"" + body + "\"").getBytes(StandardCharsets.UTF_8);
		byte[] name = UnicodeEscapes.decode(sql, 3, sql.length - 1, escape);
		return (name != null) ? new String(name, StandardCharsets.UTF_8) : null;
	}

}
