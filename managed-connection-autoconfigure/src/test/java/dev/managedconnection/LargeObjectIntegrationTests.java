package dev.managedconnection;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
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

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create();

	private ManagedConnection managed;

	@Test
	void aLargeObjectIsWrittenReadAndUnlinkedInScopes() throws SQLException {
		this.managed = db.managed();
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
		assertThat(db.queryLong("SELECT count(*) FROM pg_largeobject_metadata WHERE oid = " + oid))
			.isZero();
		long one = this.managed.execute(COMMIT, (connection) -> queryLong(connection, "SELECT 1"));
		assertThat(one).as("the next holder").isOne();
	}

	@Test
	void aLargeObjectWrittenInAScopeThatFailsIsRolledBack() throws SQLException {
		this.managed = db.managed();
		long[] created = new long[1];
		IllegalStateException failure = catchThrowableOfType(IllegalStateException.class,
				() -> this.managed.execute(COMMIT, (connection) -> {
					LargeObjectManager largeObjects = connection.unwrap(PGConnection.class).getLargeObjectAPI();
					created[0] = largeObjects.createLO(LargeObjectManager.READWRITE);
					throw new IllegalStateException("refused");
				}));
		assertThat(failure).hasMessage("refused");
		assertThat(db.queryLong(
				"SELECT count(*) FROM pg_largeobject_metadata WHERE oid = " + created[0]))
			.isZero();
	}

}
