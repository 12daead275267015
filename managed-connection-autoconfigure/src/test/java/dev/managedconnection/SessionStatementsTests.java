package dev.managedconnection;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SessionStatements}.
 */
class SessionStatementsTests {

	@ParameterizedTest
	@ValueSource(strings = { "SET ROLE app", "set search_path = other", "  /* why */ SET LOCAL x = 1",
			"-- note\nRESET ALL", "SELECT 1; SET TIME ZONE 'UTC'", "CREATE TEMP TABLE t (id int)",
			"create temporary table t (id int)", "SELECT * INTO TEMP t FROM item", "LISTEN channel",
			"UNLISTEN *", "SELECT pg_advisory_lock(1)", "SELECT pg_try_advisory_lock_shared(1)",
			"SELECT set_config('search_path', 'x', false)", "DECLARE c CURSOR WITH HOLD FOR SELECT 1",
			"PREPARE p AS SELECT 1", "DO $$ BEGIN PERFORM 1; END $$", "CALL proc()", "LOAD 'auto_explain'",
			"DISCARD PLANS", "(SET x = 1)", "SELECT 1; LISTEN c", "create temp view v AS SELECT 1" })
	void flagsWhatMayChangeTheSession(String sql) {
		assertThat(SessionStatements.mayChangeSession(sql)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "SELECT 1", "UPDATE account SET balance = balance - 1 WHERE id = 1",
			"INSERT INTO item VALUES (1, 'settle')", "DELETE FROM item", "SELECT pg_advisory_xact_lock(1)",
			"SELECT pg_backend_pid()", "BEGIN ISOLATION LEVEL SERIALIZABLE", "COMMIT", "WITH x AS (SELECT 1) SELECT * FROM x",
			"SELECT offset_value FROM dataset", "SELECT 1 AS attempts", "SELECT template_id FROM page",
			"SELECT * FROM item -- listen here", "UPDATE holder SET name = 'x'", "" })
	void letsOrdinarySqlThrough(String sql) {
		assertThat(SessionStatements.mayChangeSession(sql)).isFalse();
	}

	@Test
	void rememberedVerdictsFollowTheTextNotTheSlot() {
		SessionStatements statements = new SessionStatements();
		// Far more texts than remembered slots, so texts of both verdicts share slots.
		for (int round = 0; round < 3; round++) {
			for (int i = 0; i < 500; i++) {
				assertThat(statements.mayChange("SET application_name = 'a" + i + "'")).isTrue();
				assertThat(statements.mayChange("SELECT " + i)).isFalse();
			}
		}
		String set = "SET search_path = other";
		assertThat(statements.mayChange(set)).isTrue();
		// An equal text in another String instance is the same statement.
		assertThat(statements.mayChange(new String(set))).isTrue();
	}

}
