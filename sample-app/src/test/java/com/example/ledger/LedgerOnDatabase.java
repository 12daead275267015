package com.example.ledger;

import java.util.Objects;

import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Gives a test class a database of its own on the test server and the {@link RunningLedger} on
 * it, from before its first test until after its last; register it in a static field with
 * {@code @RegisterExtension}.
 */
public final class LedgerOnDatabase implements BeforeAllCallback, AfterAllCallback {

	private final String[] args;

	private @Nullable TestDatabase database;

	private @Nullable RunningLedger ledger;

	/**
	 * Create the extension.
	 * @param args more command-line arguments for the ledger
	 */
	public LedgerOnDatabase(String... args) {
		this.args = args;
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		this.database = TestPostgres.get().createDatabase(context.getRequiredTestClass());
		this.ledger = RunningLedger.on(this.database, this.args);
	}

	@Override
	public void afterAll(ExtensionContext context) {
		try {
			if (this.ledger != null) {
				this.ledger.close();
			}
		}
		finally {
			if (this.database != null) {
				this.database.close();
			}
			this.ledger = null;
			this.database = null;
		}
	}

	public TestDatabase database() {
		return Objects.requireNonNull(this.database, "No database outside the test class");
	}

	public RunningLedger ledger() {
		return Objects.requireNonNull(this.ledger, "No ledger outside the test class");
	}

	/**
	 * Return a client that runs SQL on the database on connections of its own, never the
	 * ledger's.
	 * @return the client
	 */
	public JdbcClient sql() {
		TestDatabase database = database();
		return JdbcClient.create(new DriverManagerDataSource(database.url(), database.username(), database.password()));
	}

}
