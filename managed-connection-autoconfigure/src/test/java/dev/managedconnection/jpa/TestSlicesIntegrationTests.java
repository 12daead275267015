package dev.managedconnection.jpa;

import javax.sql.DataSource;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jdbc.test.autoconfigure.DataJdbcTest;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase.Replace;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Boot's JDBC test slices run on the managed connection, not on HikariCP (which is on
 * this classpath), when the test keeps its database ({@code replace = NONE}).
 */
class TestSlicesIntegrationTests {

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		db.addDataSourceProperties(registry);
	}

	@Nested
	@DataJpaTest(properties = "spring.jpa.hibernate.ddl-auto=create-drop")
	@AutoConfigureTestDatabase(replace = Replace.NONE)
	class DataJpa {

		@Autowired
		private DataSource dataSource;

		@Autowired
		private OwnerRepository owners;

		@Test
		void repositoriesRunOnTheManagedConnection() throws Exception {
			assertThat(this.dataSource.isWrapperFor(ManagedConnection.class)).isTrue();
			this.owners.saveAndFlush(new Owner("sliced").addPet("fish"));
			assertThat(this.owners.findAllByOrderByName()).extracting(Owner::getName).containsExactly("sliced");
		}

	}

	@Nested
	@JdbcTest
	@AutoConfigureTestDatabase(replace = Replace.NONE)
	class Jdbc {

		@Autowired
		private DataSource dataSource;

		@Autowired
		private JdbcTemplate jdbcTemplate;

		@Test
		void jdbcTemplateRunsOnTheManagedConnection() throws Exception {
			assertThat(this.dataSource.isWrapperFor(ManagedConnection.class)).isTrue();
			assertThat(this.jdbcTemplate.queryForObject("SELECT current_database()", String.class)).isEqualTo(db.name());
		}

	}

	@Nested
	@DataJdbcTest
	@AutoConfigureTestDatabase(replace = Replace.NONE)
	class DataJdbc {

		@Autowired
		private DataSource dataSource;

		@Autowired
		private JdbcTemplate jdbcTemplate;

		@Test
		void dataJdbcRunsOnTheManagedConnection() throws Exception {
			assertThat(this.dataSource.isWrapperFor(ManagedConnection.class)).isTrue();
			assertThat(this.jdbcTemplate.queryForObject("SELECT 1", Integer.class)).isOne();
		}

	}

}
