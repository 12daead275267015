package dev.managedconnection.autoconfigure;

import java.sql.SQLException;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.annotation.ExclusiveConnection;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.postgresql.PostgreSQLContainer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Integration tests for a Testcontainers {@link ServiceConnection @ServiceConnection}: the
 * managed connection follows the container's {@link JdbcConnectionDetails}, not
 * {@code spring.datasource.url}. Needs Docker, and is skipped where there is none; the same
 * behaviour is tested without Docker in {@link ManagedConnectionAutoConfigurationTests}
 * with a {@code JdbcConnectionDetails} bean.
 */
@Testcontainers(disabledWithoutDocker = true)
@SpringBootTest(classes = ManagedConnectionServiceConnectionIntegrationTests.TestApplication.class,
		properties = "spring.datasource.url=jdbc:postgresql://127.0.0.1:1/not-the-container")
class ManagedConnectionServiceConnectionIntegrationTests {

	@Container
	@ServiceConnection
	static PostgreSQLContainer postgres = new PostgreSQLContainer("postgres:17-alpine");

	@Autowired
	private JdbcConnectionDetails connectionDetails;

	@Autowired
	private ManagedConnection managedConnection;

	@Autowired
	private DatabaseNameService service;

	@Test
	void managedConnectionUsesTheContainersConnectionDetails() throws SQLException {
		assertThat(this.connectionDetails.getJdbcUrl()).isEqualTo(postgres.getJdbcUrl());
		assertThat(ManagedConnectionAutoConfigurationTests.query(this.managedConnection, "SELECT current_database()"))
			.isEqualTo(postgres.getDatabaseName());
	}

	@Test
	void annotatedServiceRunsOnTheContainer() {
		assertThat(this.service.databaseName()).isEqualTo(postgres.getDatabaseName());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(DatabaseNameService.class)
	static class TestApplication {

	}

	@Service
	static class DatabaseNameService {

		private final JdbcClient jdbcClient;

		DatabaseNameService(JdbcClient jdbcClient) {
			this.jdbcClient = jdbcClient;
		}

		@ExclusiveConnection
		public String databaseName() {
			return this.jdbcClient.sql("SELECT current_database()").query(String.class).single();
		}

	}

}
