package dev.managedconnection;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

import dev.managedconnection.testsupport.ManagedConnectionExtension;
import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;

import static dev.managedconnection.TestSql.queryLong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Large objects through pgjdbc's {@link LargeObjectManager}, reached with {@code unwrap} inside a
 * scope: they need nothing from the managed connection beyond a transaction, which autocommit
 * off (the default) gives them.
 */
@Timeout(60)
class LargeObjectIntegrationTests {

	private static final ScopeOptions COMMIT = ScopeOptions.DEFAULT.withCommit(true);

	private static final byte[] CONTENT = "many threads, one connection".getBytes(StandardCharsets.UTF_8);

	private static TestDatabase database;

	private ManagedConnection managed;

	@BeforeAll
	static void createDatabase() {
		database = TestPostgres.get().createDatabase(LargeObjectIntegrationTests.class);
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@AfterEach
	void closeManagedConnection() {
		if (this.managed != null) {
			this.managed.close();
		}
	}

	@Test
	void aLargeObjectIsWrittenReadAndUnlinkedInScopes() throws SQLException {
		this.managed = ManagedConnectionExtension.builderFor(database).build();
		long oid = this.managed.execute(COMMIT, (connection) -> {
			LargeObjectManager largeObjects = connection.unwrap(PGConnection.class).getLargeObjectAPI();
			long created = largeObjects.createLO(LargeObjectManager.READWRITE);
			try (LargeObject object = largeObjects.open(created, LargeObjectManager.WRITE)) {
				object.write(CONTENT);
			}
			return created;
		});
		byte[] read = this.managed.execute(COMMIT, (connection) -> {
			LargeObjectManager largeObjects = connection.unwrap(PGConnection.class).getLargeObjectAPI();
			try (LargeObject object = largeObjects.open(oid, LargeObjectManager.READ)) {
				return object.read(object.size());
			}
		});
		assertThat(read).isEqualTo(CONTENT);
		this.managed.execute(COMMIT, (connection) -> {
			connection.unwrap(PGConnection.class).getLargeObjectAPI().unlink(oid);
			return null;
		});
		assertThat(database.queryLong("SELECT count(*) FROM pg_largeobject_metadata WHERE oid = " + oid))
			.isZero();
		long one = this.managed.execute(COMMIT, (connection) -> queryLong(connection, "SELECT 1"));
		assertThat(one).as("the next holder").isOne();
	}

	@Test
	void aLargeObjectWrittenInAScopeThatFailsIsRolledBack() throws SQLException {
		this.managed = ManagedConnectionExtension.builderFor(database).build();
		long[] created = new long[1];
		IllegalStateException failure = catchThrowableOfType(IllegalStateException.class,
				() -> this.managed.execute(COMMIT, (connection) -> {
					LargeObjectManager largeObjects = connection.unwrap(PGConnection.class).getLargeObjectAPI();
					created[0] = largeObjects.createLO(LargeObjectManager.READWRITE);
					throw new IllegalStateException("refused");
				}));
		assertThat(failure).hasMessage("refused");
		assertThat(database.queryLong(
				"SELECT count(*) FROM pg_largeobject_metadata WHERE oid = " + created[0]))
			.isZero();
	}

}
