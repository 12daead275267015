package dev.managedconnection;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SessionWords}.
 */
class SessionWordsTests {

	private final SessionWords words = new SessionWords(new String[] { "set", "do" }, new String[] { "temp", "hold" },
			new String[] { "pg_temp" }, new String[] { "set_config", "ts_stat" });

	@ParameterizedTest
	@ValueSource(strings = { "SET x = 1", "  set x = 1", "do $$ $$", "SELECT 1;SET x = 1", "SELECT 1; \u00e9; sEt x",
			"/* c */ SET x = 1", "-- c\rSET x = 1", "((SET x = 1))", "{call p()}", "\tSET x = 1",
			"SELECT temp FROM t", "SELECT TEMP", "SELECT 1temp", "SELECT $1temp", "SELECT \"temp\"", "INTO TeMp t",
			"select hold", "CREATE TABLE pg_temp.t", "CREATE TABLE \"PG_TEMP_3\".t", "SELECT x.set_config(1)",
			"SELECT my_SET_CONFIG_wrapper()", "SELECT * FROM ts_stat('q')", "SELECT \u00e9ts_stat()",
			"SELECT U&\"x\"", "SELECT 1 & 2", "SELECT '\0'", "SELECT '\u20ac';SET x" })
	void findsWhatMayBeAWord(String sql) {
		assertThat(this.words.mayBeIn(sql.getBytes(StandardCharsets.UTF_8))).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "SELECT 1", "UPDATE t SET x = 1", "SELECT offset_value, settled FROM t",
			"SELECT temperature, attempts, template, holder, threshold FROM t", "SELECT xpg_temp FROM t",
			"SELECT set_conf FROM t", "SELECT 'a', \"b\", $$c$$ FROM t -- d", "SELECT \u00e9t\u00e9 FROM t WHERE x = ?",
			"SELECT 1; SELECT 2;", "SELECT 1;",
			// Characters whose UTF-8 bytes, modulo 128, are ';' or a needle's pair
			"SELECT 1 \u00bb SET x", "SELECT 1 \u00fb SET x", "SELECT 1 \u013b SET x", "SELECT \u00edp FROM t",
			"SELECT \u00ed\u00f0 FROM t",
			"SELECT '\u00e9';\u00e9SET x", "SELECT 'unterminated", "INSERT INTO t VALUES ('do')" })
	void letsThroughWhatHasNone(String sql) {
		assertThat(this.words.mayBeIn(sql.getBytes(StandardCharsets.UTF_8))).isFalse();
	}

}
