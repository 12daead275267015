package com.example.ledger;

import java.net.URI;

import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ledger as a {@code @SpringBootTest} on a random port, its database given by
 * {@code @DynamicPropertySource}: the way further tests of the app can start it. The embedded
 * PostgreSQL bootstrap must see those properties and stay out of the way.
 * <p>
 * The database is created and dropped by {@link DatabaseExtension}, declared before
 * {@code @SpringBootTest} so that JUnit runs its after-all callback after Spring's: the context
 * ({@code @DirtiesContext}) is closed before its database is dropped.
 */
@ExtendWith(DynamicPropertySourceIntegrationTests.DatabaseExtension.class)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@DirtiesContext
@Timeout(120)
class DynamicPropertySourceIntegrationTests {

	private static TestDatabase db;

	@Autowired
	private ApplicationContext context;

	@Value("${local.server.port}")
	private int port;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", () -> db.url());
		registry.add("spring.datasource.username", () -> db.username());
		registry.add("spring.datasource.password", () -> db.password());
	}

	@Test
	void runsOnTheDynamicDatabaseWithoutAnEmbeddedOne() {
		assertThat(this.context.containsBean("ledgerEmbeddedPostgres")).isFalse();
		assertThat(this.context.getEnvironment().getProperty("spring.datasource.url")).isEqualTo(db.url());
		LedgerClient client = new LedgerClient(URI.create("http://127.0.0.1:" + this.port));
		long id = client.post("/accounts", "{\"owner\": \"dora\", \"balance\": 42}").expect(201).get("id").asLong();
		JdbcClient sql = JdbcClient.create(new DriverManagerDataSource(db.url(), db.username(), db.password()));
		assertThat(sql.sql("SELECT owner FROM account WHERE id = ?").param(id).query(String.class).single())
			.isEqualTo("dora");
	}

	/**
	 * Creates the test class's database before all tests and drops it after all.
	 */
	static final class DatabaseExtension implements BeforeAllCallback, AfterAllCallback {

		@Override
		public void beforeAll(ExtensionContext extensionContext) {
			db = TestPostgres.get().createDatabase(DynamicPropertySourceIntegrationTests.class);
		}

		@Override
		public void afterAll(ExtensionContext extensionContext) {
			if (db != null) {
				db.close();
			}
		}

	}

}
