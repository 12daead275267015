package dev.managedconnection.jpa;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A web request with open-session-in-view on (Spring Boot's default) and off, on the managed
 * connection: on, a view that reads a lazy association works, and the application said at
 * startup that each request holds the one connection until its view is rendered; off, the
 * lazy read fails as it does on any pool, and nothing was said.
 */
@ExtendWith(OutputCaptureExtension.class)
class OpenInViewIntegrationTests {

	private static final String NOTICE = "Open-session-in-view is on";

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		db.addDataSourceProperties(registry);
	}

	@Nested
	@SpringBootTest(classes = ClinicApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { "spring.jpa.hibernate.ddl-auto=create-drop", "spring.application.name=open-in-view-on" })
	class On {

		@LocalServerPort
		private int port;

		@Autowired
		private OwnerRepository owners;

		@Test
		void aViewReadsLazyAssociationsAndTheStartupLogSaysTheRequestHoldsTheConnection(CapturedOutput output)
				throws Exception {
			int id = this.owners.save(new Owner("Jean").addPet("Samantha").addPet("Max")).getId();
			HttpResponse<String> response = get(this.port, "/owners/" + id);
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).isEqualTo("Jean [Max, Samantha]");
			assertThat(output).contains(NOTICE).contains("spring.jpa.open-in-view=false");
		}

	}

	@Nested
	@SpringBootTest(classes = ClinicApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { "spring.jpa.hibernate.ddl-auto=create-drop", "spring.jpa.open-in-view=false" })
	class Off {

		@LocalServerPort
		private int port;

		@Autowired
		private OwnerRepository owners;

		@Test
		void aViewCannotReadLazyAssociationsAndNothingIsSaid(CapturedOutput output) throws Exception {
			int id = this.owners.save(new Owner("George").addPet("Leo")).getId();
			HttpResponse<String> response = get(this.port, "/owners/" + id);
			assertThat(response.statusCode()).isEqualTo(500);
			assertThat(output).contains("LazyInitializationException").doesNotContain(NOTICE);
		}

	}

	private static HttpResponse<String> get(int port, String path) throws Exception {
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.build();
		return client.send(request, HttpResponse.BodyHandlers.ofString());
	}

}
