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

	@ParameterizedTest
	@ValueSource(strings = {
			// DML, CTEs, locking reads
			"WITH recent AS (SELECT id FROM orders WHERE created_at > now() - interval '1 day') SELECT * FROM recent",
			"WITH moved AS (DELETE FROM queue WHERE id = $1 RETURNING *) INSERT INTO done SELECT * FROM moved",
			"SELECT * FROM account WHERE id = ? FOR UPDATE", "SELECT id FROM job FOR UPDATE SKIP LOCKED LIMIT 1",
			"SELECT * FROM account a JOIN owner o ON o.id = a.owner_id FOR NO KEY UPDATE OF a",
			"INSERT INTO item (id, name) VALUES (?, ?) RETURNING id, name",
			"INSERT INTO setting (key, value) VALUES ('search_path', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			"MERGE INTO stock s USING delivery d ON s.item = d.item WHEN MATCHED THEN UPDATE SET qty = s.qty + d.qty",
			"UPDATE t SET x = 1", "UPDATE account SET (balance, version) = (balance + ?, version + 1) WHERE id = ?",
			"ROLLBACK", "SAVEPOINT s1", "RELEASE SAVEPOINT s1", "ROLLBACK TO SAVEPOINT s1",
			"LOCK TABLE item IN SHARE MODE", "SELECT 1;", ";", " ;; ",
			// JSON operators and parameters
			"SELECT data->>'name', data#>'{a,b}', data#>>'{a}' FROM doc WHERE data ?| array['a', 'b'] AND data @> ?::jsonb",
			"SELECT * FROM doc WHERE data ? 'key' AND data ?& array['a'] AND tags && ?",
			"SELECT * FROM item WHERE id = $1 AND name = $2", "SELECT $1::int + $22",
			// Session words inside strings, comments, quoted names and dollar quotes
			"SELECT 'SET ROLE admin'", "SELECT 'x; SET ROLE admin; --'", "SELECT 'pg_advisory_lock(1)' AS text",
			"INSERT INTO note VALUES ('temp', 'hold', 'DISCARD ALL; set_config(''a'', ''b'', false)')",
			"SELECT E'It\\'s; SET ROLE admin'", "SELECT E'back\\\\slash'", "SELECT 'It''s; SET ROLE x'",
			"SELECT U&'d\\0061t\\+000061; SET ROLE x'", "SELECT name FROM item WHERE name LIKE 'a\\_%'",
			"SELECT 1 /* SET ROLE admin; pg_advisory_lock(1) */", "SELECT 1 -- ; SET ROLE admin\nFROM item",
			"/* LISTEN x */ SELECT 1", "/* a /* SET ROLE x; */ still a comment; */ SELECT 1",
			"-- SET ROLE x\r\nSELECT 1", "SELECT \"SET ROLE\", \"temp\" FROM \"hold\"",
			"SELECT U&\"d\\0061ta\" FROM item", "SELECT $$SET ROLE admin; CREATE TEMP TABLE x$$",
			"SELECT $body$ LISTEN x; pg_advisory_lock(1) $body$", "SELECT $a$ $b$ SET ROLE x $b$ $a$",
			"NOTIFY channel, 'SET ROLE x'", "SELECT pg_notify('channel', 'temp')",
			// Words that merely contain session words, and transaction-scoped locks
			"SELECT temperature, hold_id, offset_value, temp_c, holder, settled, prepared_at FROM reading",
			"SELECT pg_advisory_xact_lock(1)", "SELECT pg_try_advisory_xact_lock_shared(42)",
			"SELECT current_setting('app.tenant', true)", "SELECT nextval('item_id_seq')",
			"SELECT count(*) FROM pg_stat_activity", "SELECT {fn ucase(name)} FROM item",
			"SELECT 'na\u00efve caf\u00e9 \u2603', \"t\u00ebmp\", \u00fcber_hold FROM item", "SELECT 1; \u00e9 SET x",
			// Hibernate
			"select o1_0.id,o1_0.name from owners o1_0 where o1_0.id=any(?)",
			"insert into pet (birth_date,name,owner_id,type_id,id) values (?,?,?,?,default)",
			"select p1_0.id,p1_0.name from pets p1_0 where p1_0.name like ? escape '\\' offset ? rows fetch first ? rows only",
			"SELECT 'C:\\' AS path", "SELECT 'a\\\\' AS two_backslashes",
			"update owners set address=?,city=?,first_name=?,last_name=?,telephone=? where id=?" })
	void letsCommonApplicationSqlThrough(String sql) {
		assertThat(SessionStatements.mayChangeSession(sql)).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "/* a /* b */ c */ SET ROLE low_privilege",
			"/* a /* b */ c */ SET SESSION AUTHORIZATION low_privilege", "/* a /* b */ c */ SET search_path = evil",
			"/* a /* b */ c */ LISTEN channel", "/* a /* b */ c */ PREPARE p AS SELECT 1",
			"-- audit\rSET ROLE low_privilege", "CREATE TABLE pg_temp.account (id int, owner text)",
			"CREATE VIEW pg_temp.account AS SELECT 1 AS id, 'mallory' AS owner",
			"CREATE TABLE \"pg_temp\".account (id int)", "create table PG_TEMP_3.account (id int)",
			"CREATE TABLE Pg_Temp.account (id int)", "SELECT U&\"set\\005fconfig\"('app.tenant', 'other', false)",
			"SELECT U&\"pg_advisory\\005flock\"(42)", "SELECT U&\"pg_advisory\\+00005flock\"(42)",
			"SELECT U&\"set!005fconfig\" UESCAPE '!' ('app.tenant', 'other', false)",
			"SELECT u&\"pg_advisory#005Flock\" /* why */ uescape\n'#'(42)", "SELECT '\u00e9\u2603';SET ROLE x",
			"SELECT U&\"\\00e9\\+0000e9\" AS \"\u00e9\u00e9\", U&\"s\\+000065t_config\"('a.b', 'c', false)" })
	void detectsAttacksThatFooledTheTextCheck(String sql) {
		assertThat(SessionStatements.mayChangeSession(sql)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "{call proc(?)}", "{? = call proc(?)}", "SELECT 1; {call proc()}",
			"SELECT query_to_xml('SELECT set_config(''role'', ''x'', false)', true, true, '')",
			"SELECT * FROM ts_stat('SELECT to_tsvector(body) FROM doc')",
			"SELECT pg_advisory_unlock_all()", "SELECT \"pg_catalog\".\"set_config\"('a.b', 'c', false)",
			"CREATE LOCAL TEMPORARY TABLE t (id int)", "EXPLAIN ANALYZE CREATE TEMP TABLE t AS SELECT 1",
			"CREATE FUNCTION pg_temp.f() RETURNS int AS 'SELECT 1' LANGUAGE sql" })
	void flagsCallsEscapesAndFunctionsThatRunSqlGivenAsText(String sql) {
		assertThat(SessionStatements.mayChangeSession(sql)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "SELECT 'unterminated; SET ROLE x", "SELECT /* unterminated; SET ROLE x",
			"SELECT /* a /* b */ still open; SET ROLE x", "SELECT $$ unterminated; SET ROLE x",
			"SELECT $a$ x $b$; SET ROLE x", "SELECT \"unterminated; SET ROLE x", "SELECT E'\\'; SET ROLE x",
			"SELECT E'unterminated\\'; SET ROLE x", "SELECT \"\", 'temp' FROM item", "SELECT U&\"\"",
			"SELECT U&\"bad\\escape\"", "SELECT U&\"a\\0000\"", "SELECT U&\"a\\D800\"", "SELECT U&\"a\\DC00\"",
			"SELECT U&\"a\\+110000\"", "SELECT U&\"a!0061\" UESCAPE 'a'", "SELECT U&\"a!0061\" UESCAPE E'!'",
			"SELECT U&\"a!0061\" UESCAPE $$!$$", "SELECT U&\"a!0061\" UESCAPE '!!'", "SELECT 1 \0 FROM item",
			"SELECT 'a\0'",
			// With standard_conforming_strings off the server reads these strings on past the quote.
			"SELECT '\\'' ; SET ROLE low_privilege; --'", "SELECT '\\' , ' ; SET ROLE x ; --' , '\\'",
			// pgjdbc sees no dollar quote after a number, the server does.
			"SELECT 1$$; SET ROLE x; $$" })
	void treatsWhatItCannotReadAsTheServerWouldAsASessionChange(String sql) {
		assertThat(SessionStatements.mayChangeSession(sql)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "SELECT 'unterminated", "SELECT /* unterminated", "SELECT $$ unterminated",
			"SELECT \"\" FROM item" })
	void letsMalformedSqlThroughWhenItNamesNothingThatChangesTheSession(String sql) {
		// However the server reads it, no session command or function is in it.
		assertThat(SessionStatements.mayChangeSession(sql)).isFalse();
	}

	@Test
	void decodesSurrogatePairsInUnicodeNames() {
		assertThat(SessionStatements.mayChangeSession("SELECT U&\"\\D83D\\DE00set_config\"(1)")).isTrue();
		assertThat(SessionStatements.mayChangeSession("SELECT U&\"\\D83D\\DE00\\+01F600\\\\\" FROM item")).isFalse();
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
