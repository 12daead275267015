package com.example.ledger.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.example.ledger.RunningLedger;
import dev.managedconnection.ManagedConnection;
import dev.managedconnection.testsupport.TestDatabase;
import dev.managedconnection.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link EmbeddedPostgresBootstrap}: with no {@code spring.datasource.url} the app
 * starts its own PostgreSQL, says so, uses it, and stops it when it stops or fails to start;
 * with a URL it starts none.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(180)
class EmbeddedPostgresBootstrapIntegrationTests {

	private static final Pattern STARTED = Pattern
		.compile("the app started an embedded PostgreSQL for this run at (jdbc:postgresql://127\\.0\\.0\\.1:\\d+/ledger) ");

	@Test
	void startsAnEmbeddedPostgresWhenNoUrlIsConfiguredAndStopsItWithTheApp(CapturedOutput output) {
		String url;
		// An empty URL counts as none, and overrides a SPRING_DATASOURCE_URL this JVM may have.
		try (RunningLedger ledger = RunningLedger.start("--spring.datasource.url=")) {
			url = ledger.context().getEnvironment().getProperty("spring.datasource.url");
			assertThat(url).matches("jdbc:postgresql://127\\.0\\.0\\.1:\\d+/ledger");
			assertThat(startedUrl(output)).isEqualTo(url);
			assertThat(output).contains("To use your own server, set SPRING_DATASOURCE_URL");
			ConfigurableListableBeanFactory beans = ledger.context().getBeanFactory();
			assertThat(beans.containsBean(EmbeddedPostgresBootstrap.BEAN_NAME)).isTrue();
			// What makes the context close the connection before it stops the server.
			assertThat(beans.getDependentBeans(EmbeddedPostgresBootstrap.BEAN_NAME))
				.contains(beans.getBeanNamesForType(ManagedConnection.class))
				.contains(beans.getBeanNamesForType(DataSource.class));
			long id = ledger.post("/accounts", "{\"owner\": \"erin\", \"balance\": 7}").expect(201).get("id").asLong();
			assertThat(ledger.get("/accounts/" + id).expect(200).get("owner").asString()).isEqualTo("erin");
			assertThat(ledger.context().getBean(ManagedConnection.class).state().backendPid()).isPositive();
		}
		assertThat(output).contains("Stopped the embedded PostgreSQL");
		assertRefusesConnections(url);
	}

	@Test
	void stopsTheEmbeddedPostgresWhenTheAppFailsToStart(CapturedOutput output) throws IOException {
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			assertThatException().isThrownBy(() -> RunningLedger.start("--spring.datasource.url=",
					"--server.port=" + taken.getLocalPort()));
		}
		assertRefusesConnections(startedUrl(output));
	}

	@Test
	void startsNoEmbeddedPostgresWhenAUrlIsConfigured(CapturedOutput output) {
		try (TestDatabase db = TestPostgres.get().createDatabase(EmbeddedPostgresBootstrapIntegrationTests.class);
				RunningLedger ledger = RunningLedger.on(db)) {
			assertThat(ledger.context().containsBean(EmbeddedPostgresBootstrap.BEAN_NAME)).isFalse();
			assertThat(ledger.context().getEnvironment().getProperty("spring.datasource.url")).isEqualTo(db.url());
			assertThat(output).doesNotContain("embedded PostgreSQL");
			ledger.post("/accounts", "{\"owner\": \"finn\", \"balance\": 7}").expect(201);
		}
	}

	private static String startedUrl(CapturedOutput output) {
		Matcher matcher = STARTED.matcher(output.getOut());
		assertThat(matcher.find()).as("log line announcing the embedded PostgreSQL").isTrue();
		return matcher.group(1);
	}

	private static void assertRefusesConnections(String url) {
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> DriverManager.getConnection(url + "?connectTimeout=5", "postgres", "").close())
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("08001"));
	}

}
