package dev.managedconnection.testsupport;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TestPostgres}: whichever server is chosen, a test database works and is private.
 */
class TestPostgresTests {

	@Test
	void createDatabaseGivesEachCallerItsOwnDatabaseAndDropsItOnClose() throws Exception {
		TestPostgres server = TestPostgres.get();
		String name;
		try (TestDatabase first = server.createDatabase(TestPostgresTests.class);
				TestDatabase second = server.createDatabase(TestPostgresTests.class)) {
			name = first.name();
			assertThat(first.name()).isNotEqualTo(second.name());
			try (Connection connection = first.connect(); Statement statement = connection.createStatement()) {
				statement.execute("CREATE TABLE only_here (id int)");
			}
			try (Connection connection = second.connect(); Statement statement = connection.createStatement();
					ResultSet tables = statement.executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'")) {
				tables.next();
				assertThat(tables.getInt(1)).isZero();
			}
		}
		try (Connection connection = server.connect("postgres"); Statement statement = connection.createStatement();
				ResultSet databases = statement.executeQuery("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'")) {
			databases.next();
			assertThat(databases.getInt(1)).isZero();
		}
	}

}
