package com.example.ledger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import com.example.ledger.bank.TransferService;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ScopeOptions;
import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * The database password, set both in {@code spring.datasource.password} and inside
 * {@code spring.datasource.url} (plus a third one in {@code managed-connection.properties}),
 * never shows: not in the logs at DEBUG (the library's and pgjdbc's), not in exception
 * messages, {@code toString()}, health details, metric tags, problem answers, nor in
 * {@code /actuator/env} and {@code /actuator/configprops} even set to show values.
 * <p>
 * The ledger logs in as a role of its own created with the URL's password (pgjdbc lets a URL
 * parameter win over the property). The server on this machine trusts loopback connections, so
 * the password is sent but not checked: what is tested is that it never appears, whichever
 * value is in use. A refused login (the role made {@code NOLOGIN}) produces the failures whose
 * messages are checked.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(180)
class SecretsIntegrationTests {

	private static final String URL_PASSWORD = "urlSecret" + UUID.randomUUID().toString().replace("-", "");

	private static final String PROPERTY_PASSWORD = "propertySecret" + UUID.randomUUID().toString().replace("-", "");

	private static final String MAP_PASSWORD = "mapSecret" + UUID.randomUUID().toString().replace("-", "");

	private static final String[] SECRETS = { URL_PASSWORD, PROPERTY_PASSWORD, MAP_PASSWORD };

	private static final String ROLE = "mc_secrets_" + ProcessHandle.current().pid();

	private static TestDatabase db;

	@BeforeAll
	static void createRoleAndDatabase() throws SQLException {
		db = TestPostgres.get().createDatabase(SecretsIntegrationTests.class);
		admin("DROP ROLE IF EXISTS " + ROLE);
		admin("CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + URL_PASSWORD + "'");
		admin("ALTER DATABASE " + db.name() + " OWNER TO " + ROLE);
	}

	@AfterAll
	static void dropDatabaseAndRole() throws SQLException {
		if (db != null) {
			db.close();
		}
		admin("DROP ROLE IF EXISTS " + ROLE);
	}

	@Test
	void passwordNeverAppearsAnywhereTheApplicationShowsThings(CapturedOutput output) throws Exception {
		List<String> shown = new ArrayList<>();
		String url = db.url() + "?password=" + URL_PASSWORD + "&ApplicationName=ledger-secrets";
		try (RunningLedger ledger = RunningLedger.start("--spring.datasource.url=" + url,
				"--spring.datasource.username=" + ROLE, "--spring.datasource.password=" + PROPERTY_PASSWORD,
				"--managed-connection.properties.password=" + MAP_PASSWORD, "--managed-connection.acquire-timeout=2s",
				"--logging.level.dev.managedconnection=DEBUG", "--logging.level.org.postgresql=DEBUG",
				"--logging.level.org.springframework=INFO",
				"--management.endpoints.web.exposure.include=health,metrics,env,configprops",
				"--management.endpoint.env.show-values=always",
				"--management.endpoint.configprops.show-values=always")) {
			ConfigurableApplicationContext context = ledger.context();
			ManagedConnection managedConnection = context.getBean(ManagedConnection.class);
			assertThat(query(managedConnection, "SELECT current_user")).isEqualTo(ROLE);

			long alice = ledger.post("/accounts", "{\"owner\": \"alice\", \"balance\": 100}").expect(201).get("id").asLong();
			long bob = ledger.post("/accounts", "{\"owner\": \"bob\", \"balance\": 0}").expect(201).get("id").asLong();
			ledger.post("/transfers", "{\"from\": " + alice + ", \"to\": " + bob + ", \"amount\": 10}").expect(201);
			shown.addAll(actuatorAnswers(ledger));
			shown.addAll(toStrings(context));
			shown.addAll(meterTags(context.getBean(MeterRegistry.class)));

			admin("ALTER ROLE " + ROLE + " NOLOGIN");
			terminate(managedConnection.state().backendPid());
			await().atMost(Duration.ofSeconds(30))
				.until(() -> ledger.get("/ledger/total").status() == 503);
			Response problem = ledger.get("/ledger/total");
			problem.expectProblem(503, "database-unavailable");
			shown.add(problem.body());
			Response health = ledger.get("/actuator/health");
			assertThat(health.status()).isEqualTo(503);
			JsonNode managedConnectionHealth = health.json().get("components").get("managedConnection");
			assertThat(managedConnectionHealth.get("status").asString()).isEqualTo("DOWN");
			assertThat(managedConnectionHealth.get("details").get("error").asString())
				.contains("not permitted to log in");
			shown.add(health.body());
			shown.addAll(failureMessages(() -> managedConnection.execute((connection) -> null)));
			shown.addAll(failureMessages(() -> context.getBean(TransferService.class).transfer(alice, bob, 1, null)));
			shown.addAll(toStrings(context));

			admin("ALTER ROLE " + ROLE + " LOGIN");
			await().atMost(Duration.ofSeconds(30)).until(() -> ledger.get("/actuator/health").status() == 200);
			ledger.get("/ledger/total").expect(200);
		}
		assertThat(shown).isNotEmpty().allSatisfy((text) -> assertThat(text).doesNotContain(SECRETS));
		// What the capture holds: the library's DEBUG lines, pgjdbc's FINE lines (through
		// Boot's java.util.logging bridge) and the refused login, so its checks are not vacuous.
		assertThat(output.getAll()).contains("Opened ManagedConnection[" + db.url())
			.contains("Connecting with URL: " + db.url())
			.contains("not permitted to log in")
			.doesNotContain(SECRETS);
	}

	/**
	 * The actuator answers, after checking that the endpoints show values (so that what hides
	 * the passwords is the sanitizing, not Boot's default of hiding everything).
	 */
	private static List<String> actuatorAnswers(RunningLedger ledger) {
		String maskedUrl = db.url() + "?password=******&ApplicationName=ledger-secrets";
		assertThat(envValue(ledger, "managed-connection.acquire-timeout")).isEqualTo("2s");
		assertThat(envValue(ledger, "spring.datasource.url")).isEqualTo(maskedUrl);
		assertThat(envValue(ledger, "spring.datasource.password")).isEqualTo("******");
		assertThat(envValue(ledger, "managed-connection.properties.password")).isEqualTo("******");
		JsonNode dataSource = configurationProperties(ledger, "spring.datasource");
		assertThat(dataSource.get("username").asString()).isEqualTo(ROLE);
		assertThat(dataSource.get("url").asString()).isEqualTo(maskedUrl);
		assertThat(dataSource.get("password").asString()).isEqualTo("******");
		JsonNode managedConnection = configurationProperties(ledger, "managed-connection");
		assertThat(managedConnection.get("acquireTimeout").asString()).isEqualTo("PT2S");
		assertThat(managedConnection.get("properties").get("password").asString()).isEqualTo("******");
		List<String> answers = new ArrayList<>();
		for (String path : List.of("/actuator/env", "/actuator/env/spring.datasource.url",
				"/actuator/env/spring.datasource.password", "/actuator/env/managed-connection.properties.password",
				"/actuator/configprops", "/actuator/configprops/spring.datasource",
				"/actuator/configprops/managed-connection", "/actuator/health", "/actuator/metrics",
				"/actuator/metrics/managed.connection.acquire")) {
			answers.add(ledger.get(path).expect(200).toString());
		}
		return answers;
	}

	/**
	 * Return a property's value as {@code /actuator/env} shows it.
	 */
	private static String envValue(RunningLedger ledger, String name) {
		return ledger.get("/actuator/env/" + name).expect(200).get("property").get("value").asString();
	}

	/**
	 * Return the properties of the one configuration properties bean with the given prefix, as
	 * {@code /actuator/configprops} shows them.
	 */
	private static JsonNode configurationProperties(RunningLedger ledger, String prefix) {
		JsonNode beans = ledger.get("/actuator/configprops/" + prefix).expect(200).get("contexts").get("ledger").get("beans");
		List<JsonNode> matching = beans.valueStream().filter((bean) -> prefix.equals(bean.get("prefix").asString())).toList();
		assertThat(matching).hasSize(1);
		return matching.get(0).get("properties");
	}

	/**
	 * The {@code toString()} of every bean in the application context.
	 */
	private static List<String> toStrings(ConfigurableApplicationContext context) {
		List<String> strings = new ArrayList<>();
		for (String name : context.getBeanDefinitionNames()) {
			Object bean = context.getBeanFactory().getSingleton(name);
			if (bean != null) {
				strings.add(name + ": " + bean);
			}
		}
		strings.add(context.getBean(DataSource.class).toString());
		strings.add(context.getBean(ManagedConnection.class).toString());
		return strings;
	}

	private static List<String> meterTags(MeterRegistry registry) {
		List<String> tags = new ArrayList<>();
		for (Meter meter : registry.getMeters()) {
			tags.add(meter.getId().getName());
			for (Tag tag : meter.getId().getTags()) {
				tags.add(tag.getKey() + "=" + tag.getValue());
			}
		}
		assertThat(tags).anyMatch((tag) -> tag.startsWith("managed.connection."));
		return tags;
	}

	/**
	 * Run the action, which must fail, and return the message and {@code toString()} of every
	 * exception in what it threw: causes, suppressed exceptions and chained SQL exceptions.
	 */
	private static List<String> failureMessages(ThrowingAction action) {
		Throwable[] failure = new Throwable[1];
		assertThatException().isThrownBy(action::run).satisfies((ex) -> failure[0] = ex);
		List<String> messages = new ArrayList<>();
		collect(failure[0], messages, Collections.newSetFromMap(new IdentityHashMap<>()));
		assertThat(messages).anyMatch((message) -> message.contains("not permitted to log in"));
		return messages;
	}

	private static void collect(Throwable failure, List<String> messages, Set<Throwable> seen) {
		if (failure == null || !seen.add(failure)) {
			return;
		}
		messages.add(String.valueOf(failure.getMessage()));
		messages.add(failure.toString());
		collect(failure.getCause(), messages, seen);
		for (Throwable suppressed : failure.getSuppressed()) {
			collect(suppressed, messages, seen);
		}
		if (failure instanceof SQLException sql) {
			collect(sql.getNextException(), messages, seen);
		}
	}

	private static String query(ManagedConnection managedConnection, String sql) throws SQLException {
		return managedConnection.execute(ScopeOptions.DEFAULT.withCommit(true), (connection) -> {
			try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
				row.next();
				return row.getString(1);
			}
		});
	}

	private static void terminate(int backendPid) throws SQLException {
		admin("SELECT pg_terminate_backend(" + backendPid + ")");
	}

	private static void admin(String sql) throws SQLException {
		try (Connection connection = TestPostgres.get().connect("postgres");
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	/**
	 * Something expected to throw.
	 */
	@FunctionalInterface
	private interface ThrowingAction {

		void run() throws Exception;

	}

}
