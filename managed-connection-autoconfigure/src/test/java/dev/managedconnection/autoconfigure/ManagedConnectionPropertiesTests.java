package dev.managedconnection.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.ManagedConnectionSettings;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that the properties, their IDE metadata and the core agree on every setting and its
 * default: the defaults are written once, in {@link ManagedConnectionSettings}.
 */
class ManagedConnectionPropertiesTests {

	private static final String URL = "jdbc:postgresql://db.example/app";

	/** Settings that come from the connection details, not from {@code managed-connection.*}. */
	private static final Set<String> CONNECTION_DETAILS = Set.of("url", "username", "password");

	@Test
	void unsetPropertiesBuildTheCoresDefaultSettings() {
		ManagedConnectionSettings fromProperties = ManagedConnectionFactory
			.builder(new ManagedConnectionProperties(), details(), null)
			.settings();
		assertThat(fromProperties).isEqualTo(ManagedConnection.builder().url(URL).settings());
	}

	@Test
	void theDefaultsTheIdeShowsAreTheCoresDefaults() throws IOException {
		Map<String, Object> defaults = new HashMap<>();
		for (JsonNode property : metadata().get("properties")) {
			String name = property.get("name").asString();
			if (name.startsWith("managed-connection.") && property.has("defaultValue")) {
				defaults.put(name, property.get("defaultValue").asString());
			}
		}
		assertThat(defaults).containsKeys("managed-connection.acquire-timeout", "managed-connection.session-reset");
		ManagedConnectionProperties bound = new Binder(new MapConfigurationPropertySource(defaults))
			.bind("managed-connection", Bindable.of(ManagedConnectionProperties.class))
			.get();
		assertThat(ManagedConnectionFactory.builder(bound, details(), null).settings())
			.isEqualTo(ManagedConnection.builder().url(URL).settings());
	}

	@Test
	void everySettingHasAPropertyOfTheNameTheFailureAnalyzerReports() throws IOException {
		List<String> documented = metadata().findValuesAsString("name");
		for (RecordComponent component : ManagedConnectionSettings.class.getRecordComponents()) {
			String setting = component.getName();
			if (CONNECTION_DETAILS.contains(setting)) {
				continue;
			}
			String property = ManagedConnectionFactory.propertyOf(setting);
			assertThat(documented).as("the property of setting '%s'", setting).contains(property);
		}
	}

	private static JsonNode metadata() throws IOException {
		try (InputStream json = ManagedConnectionPropertiesTests.class.getClassLoader()
			.getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
			assertThat(json).as("the generated configuration metadata").isNotNull();
			return new ObjectMapper().readTree(json);
		}
	}

	private static JdbcConnectionDetails details() {
		return new JdbcConnectionDetails() {

			@Override
			public String getJdbcUrl() {
				return URL;
			}

			@Override
			public @Nullable String getUsername() {
				return null;
			}

			@Override
			public @Nullable String getPassword() {
				return null;
			}

		};
	}

}
