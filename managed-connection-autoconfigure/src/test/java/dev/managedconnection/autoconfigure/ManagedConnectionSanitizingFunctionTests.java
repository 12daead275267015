package dev.managedconnection.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.Sanitizer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ManagedConnectionSanitizingFunction}, applied through Boot's own
 * {@link Sanitizer} as the {@code env} and {@code configprops} endpoints apply it when they
 * show values.
 */
class ManagedConnectionSanitizingFunctionTests {

	private final Sanitizer sanitizer = new Sanitizer(List.of(new ManagedConnectionSanitizingFunction()));

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "spring.datasource.password", "SPRING_DATASOURCE_PASSWORD",
			"managed-connection.properties.password", "managed-connection.properties[password]",
			"MANAGED_CONNECTION_PROPERTIES_PASSWORD", "managed-connection.properties.sslpassword",
			"managed-connection.properties.sslPassword" })
	void passwordPropertiesAreMaskedWhole(String key) {
		assertThat(shown(key, "s3cret")).isEqualTo("******");
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "spring.datasource.url", "SPRING_DATASOURCE_URL", "app.reporting.jdbc-url" })
	void passwordParametersOfAUrlAreMaskedAndTheRestIsShown(String key) {
		assertThat(shown(key, "jdbc:postgresql://db:5432/app?user=app&password=s3cret&sslpassword=k3y;x&ssl=true"))
			.isEqualTo("jdbc:postgresql://db:5432/app?user=app&password=******&sslpassword=******&ssl=true");
		assertThat(shown(key, "jdbc:postgresql://db/app?PASSWORD=s3cret"))
			.isEqualTo("jdbc:postgresql://db/app?PASSWORD=******");
	}

	@Test
	void passwordOnTheCommandLineIsMaskedUpToTheNextArgument() {
		assertThat(shown("sun.java.command", "app.jar --spring.datasource.url=jdbc:postgresql://db/app?password=s3cret "
				+ "--spring.datasource.password=p4ss --server.port=8080"))
			.isEqualTo("app.jar --spring.datasource.url=jdbc:postgresql://db/app?password=****** "
					+ "--spring.datasource.password=****** --server.port=8080");
	}

	@Test
	void otherValuesAreShownUnchanged() {
		assertThat(shown("spring.datasource.url", "jdbc:postgresql://db:5432/app?sslmode=verify-full"))
			.isEqualTo("jdbc:postgresql://db:5432/app?sslmode=verify-full");
		assertThat(shown("spring.datasource.username", "app")).isEqualTo("app");
		assertThat(shown("managed-connection.properties.sslmode", "require")).isEqualTo("require");
		assertThat(shown("managed-connection.acquire-timeout", 30)).isEqualTo(30);
		assertThat(shown("app.password-policy", "strict")).isEqualTo("strict");
		assertThat(shown("spring.datasource.password", null)).isNull();
	}

	@Test
	void valuesBootHidesStayHidden() {
		assertThat(this.sanitizer.sanitize(new SanitizableData(null, "spring.datasource.url",
				"jdbc:postgresql://db/app"), false))
			.isEqualTo(SanitizableData.SANITIZED_VALUE);
	}

	private Object shown(String key, Object value) {
		return this.sanitizer.sanitize(new SanitizableData(null, key, value), true);
	}

}
