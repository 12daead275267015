package dev.managedconnection.jpa;

import javax.sql.DataSource;

import dev.managedconnection.ManagedConnection;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A test that excludes Spring Boot's {@code DataSource} auto-configuration, as Spring
 * PetClinic's {@code CrashControllerIntegrationTests} does to run without a database, starts
 * with no {@code DataSource} and no managed connection, even with a URL configured.
 */
@SpringBootTest(classes = ExcludedDataSourceIntegrationTests.NoDatabaseApplication.class,
		properties = "spring.datasource.url=jdbc:postgresql://127.0.0.1:1/never-connected")
class ExcludedDataSourceIntegrationTests {

	@Autowired
	private ApplicationContext context;

	@Test
	void theManagedConnectionStepsBackWithBootsDataSource() {
		assertThat(this.context.getBeanNamesForType(DataSource.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(ManagedConnection.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(OwnerRepository.class)).isEmpty();
	}

	/**
	 * An application of this package (whose JPA repositories Spring Data would find) without
	 * its database. Not a {@code @SpringBootConfiguration}, which the test slices of this
	 * package would find besides {@link ClinicApplication}.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration(exclude = { DataSourceAutoConfiguration.class,
			DataSourceTransactionManagerAutoConfiguration.class, HibernateJpaAutoConfiguration.class })
	static class NoDatabaseApplication {

	}

}
