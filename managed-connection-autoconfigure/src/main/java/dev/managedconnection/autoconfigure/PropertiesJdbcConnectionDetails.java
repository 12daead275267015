package dev.managedconnection.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;

/**
 * {@link JdbcConnectionDetails} read from {@code spring.datasource.*}, for when no service
 * connection supplies them, so that the managed connection is always built from connection
 * details, whatever their source. Unlike Spring Boot's own, it makes up no embedded database:
 * without {@code spring.datasource.url} the URL is empty, which the settings refuse.
 */
final class PropertiesJdbcConnectionDetails implements JdbcConnectionDetails {

	private final DataSourceProperties properties;

	PropertiesJdbcConnectionDetails(DataSourceProperties properties) {
		this.properties = properties;
	}

	@Override
	public @Nullable String getUsername() {
		return this.properties.getUsername();
	}

	@Override
	public @Nullable String getPassword() {
		return this.properties.getPassword();
	}

	@Override
	public String getJdbcUrl() {
		String url = this.properties.getUrl();
		return (url != null) ? url : "";
	}

}
