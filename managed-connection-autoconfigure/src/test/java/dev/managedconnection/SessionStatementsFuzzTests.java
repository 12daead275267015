package dev.managedconnection;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz tests for {@link SessionStatements}: thousands of spellings of each session-changing
 * statement that {@code docs/reliability.md} lists, written by {@link SqlVariants} from a fixed
 * seed, must all be flagged; the same noise around ordinary statements must flag none.
 */
class SessionStatementsFuzzTests {

	private static final long SEED = 20261206L;

	private static final int VARIANTS = 2000;

	static Stream<List<String>> sessionChangingStatements() {
		return Stream.of(List.of("SET", "@application_name", "=", "'x'"),
				List.of("SET", "LOCAL", "@statement_timeout", "TO", "0"), List.of("SET", "ROLE", "@low_privilege"),
				List.of("SET", "SESSION", "AUTHORIZATION", "@low_privilege"),
				List.of("SET", "@search_path", "TO", "@hidden", ",", "@public"),
				List.of("SET", "@app", ".", "@tenant", "=", "'alice'"), List.of("RESET", "ALL"),
				List.of("RESET", "@search_path"), List.of("PREPARE", "@leak", "AS", "SELECT", "1"),
				List.of("DECLARE", "@c", "CURSOR", "WITH", "HOLD", "FOR", "SELECT", "1"),
				List.of("LOAD", "'auto_explain'"), List.of("DO", "$$BEGIN PERFORM 1; END$$"),
				List.of("DO", "$body$ BEGIN PERFORM set_config('a.b', 'c', false); END $body$"),
				List.of("CALL", "@proc", "(", ")"), List.of("DISCARD", "ALL"), List.of("DISCARD", "PLANS"),
				List.of("LISTEN", "@channel"), List.of("UNLISTEN", "*"),
				List.of("CREATE", "TEMP", "TABLE", "@t", "(", "@id", "int", ")"),
				List.of("CREATE", "TEMPORARY", "TABLE", "@t", "(", "@id", "int", ")"),
				List.of("CREATE", "LOCAL", "TEMPORARY", "TABLE", "@t", "AS", "SELECT", "1"),
				List.of("CREATE", "TEMP", "VIEW", "@v", "AS", "SELECT", "1"),
				List.of("CREATE", "OR", "REPLACE", "TEMPORARY", "VIEW", "@v", "AS", "SELECT", "1"),
				List.of("CREATE", "TEMP", "SEQUENCE", "@s"), List.of("CREATE", "TEMPORARY", "SEQUENCE", "@s"),
				List.of("CREATE", "TABLE", "@pg_temp", ".", "@account", "(", "@id", "int", ")"),
				List.of("CREATE", "VIEW", "@pg_temp", ".", "@account", "AS", "SELECT", "1"),
				List.of("CREATE", "TABLE", "@pg_temp_3", ".", "@account", "(", "@id", "int", ")"),
				List.of("SELECT", "*", "INTO", "TEMP", "@t", "FROM", "@item"),
				List.of("SELECT", "*", "INTO", "TEMPORARY", "TABLE", "@t", "FROM", "@item"),
				List.of("SELECT", "@pg_advisory_lock", "(", "1", ")"),
				List.of("SELECT", "@pg_advisory_lock_shared", "(", "1", ")"),
				List.of("SELECT", "@pg_try_advisory_lock", "(", "1", ",", "2", ")"),
				List.of("SELECT", "@pg_try_advisory_lock_shared", "(", "1", ")"),
				List.of("SELECT", "@pg_catalog", ".", "@pg_advisory_lock", "(", "1", ")"),
				List.of("SELECT", "@pg_advisory_unlock_all", "(", ")"),
				List.of("SELECT", "@set_config", "(", "'app.tenant'", ",", "'x'", ",", "false", ")"),
				List.of("SELECT", "@pg_catalog", ".", "@set_config", "(", "'role'", ",", "'x'", ",", "false", ")"));
	}

	static Stream<List<String>> ordinaryStatements() {
		return Stream.of(List.of("SELECT", "@temperature", ",", "@hold_id", "FROM", "@reading", "WHERE", "@id", "=", "$1"),
				List.of("UPDATE", "@account", "SET", "@balance", "=", "@balance", "-", "1", "WHERE", "@id", "=", "?"),
				List.of("SELECT", "@pg_advisory_xact_lock", "(", "1", ")"),
				List.of("INSERT", "INTO", "@note", "VALUES", "(", "'SET ROLE x; pg_advisory_lock(1)'", ")"),
				List.of("WITH", "@x", "AS", "(", "SELECT", "1", ")", "SELECT", "*", "FROM", "@x", "FOR", "UPDATE"),
				List.of("SELECT", "$$ SET ROLE x; CREATE TEMP TABLE t $$", "AS", "@settled"),
				List.of("SELECT", "@data", "->>", "'temp'", "FROM", "@doc", "WHERE", "@data", "?|", "ARRAY", "['hold']"));
	}

	@ParameterizedTest
	@MethodSource("sessionChangingStatements")
	void everySpellingOfASessionChangingStatementIsFlagged(List<String> statement) {
		assertThat(spellingsJudged(statement, true)).as("spellings not flagged (seed %d)", SEED).isEmpty();
	}

	@ParameterizedTest
	@MethodSource("ordinaryStatements")
	void noSpellingOfAnOrdinaryStatementIsFlagged(List<String> statement) {
		assertThat(spellingsJudged(statement, false)).as("spellings flagged (seed %d)", SEED).isEmpty();
	}

	/**
	 * Return the spellings of the statement whose verdict is not the expected one.
	 */
	private static List<String> spellingsJudged(List<String> statement, boolean expected) {
		SqlVariants variants = new SqlVariants(new Random(SEED + statement.hashCode()));
		List<String> wrong = new ArrayList<>();
		for (int i = 0; i < VARIANTS; i++) {
			String sql = variants.variant(statement);
			if (SessionStatements.mayChangeSession(sql) != expected) {
				wrong.add(sql);
			}
		}
		return wrong;
	}

}
