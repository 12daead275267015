package dev.managedconnection.jpa;

import java.util.List;

import javax.sql.DataSource;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.SecondTransactionException;
import dev.managedconnection.testsupport.ManagedConnectionExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Spring Data JPA and Hibernate with {@link JpaTransactionManager} on the managed connection:
 * repositories, batch fetching without a session reset, and a second transaction
 * ({@code REQUIRES_NEW}) that fails fast and commits nothing. The acquire timeout is ten minutes:
 * waiting for a second connection, as a pool would, fails the test's own timeout instead.
 */
@SpringBootTest(classes = { ClinicApplication.class, JpaIntegrationTests.Metrics.class },
		properties = { "spring.jpa.hibernate.ddl-auto=create-drop",
				"spring.jpa.properties.hibernate.default_batch_fetch_size=16", "managed-connection.acquire-timeout=10m" })
@Timeout(60)
class JpaIntegrationTests {

	@RegisterExtension
	static final ManagedConnectionExtension db = ManagedConnectionExtension.create();

	@Autowired
	private ClinicService clinic;

	@Autowired
	private ExclusiveClinicService exclusiveClinic;

	@Autowired
	private OwnerRepository owners;

	@Autowired
	private JdbcTemplate jdbcTemplate;

	@Autowired
	private DataSource dataSource;

	@Autowired
	private PlatformTransactionManager transactionManager;

	@Autowired
	private MeterRegistry meterRegistry;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		db.addDataSourceProperties(registry);
	}

	@BeforeEach
	void clean() {
		this.jdbcTemplate.execute("TRUNCATE pets, owners");
	}

	@Test
	void runsOnTheManagedConnectionWithJpaTransactionManager() throws Exception {
		assertThat(this.dataSource.isWrapperFor(ManagedConnection.class)).isTrue();
		assertThat(this.transactionManager).isInstanceOf(JpaTransactionManager.class);
	}

	@Test
	void batchFetchingRunsNoSessionReset() {
		for (int i = 0; i < 20; i++) {
			this.owners.save(new Owner("owner-" + (100 + i)).addPet("cat-" + i).addPet("dog-" + i));
		}
		double before = discards();
		for (int page = 0; page < 10; page++) {
			List<String> listed = this.clinic.ownersWithPets();
			assertThat(listed).hasSize(20).first().isEqualTo("owner-100[cat-0, dog-0]");
		}
		assertThat(discards() - before).as("DISCARD ALL after owner lists with batch fetching").isZero();
	}

	@Test
	void requiresNewInsideAnOpenTransactionFailsFastAndCommitsNeitherRow() {
		assertThatException().isThrownBy(this.clinic::saveAThenBInNewTransactionThenFail)
			.satisfies(JpaIntegrationTests::causedBySecondTransaction);
		assertThat(ownerNames()).isEmpty();
	}

	@Test
	void requiresNewInsideAnOpenTransactionInsideExclusiveConnectionFailsFastAndCommitsNeitherRow() {
		assertThatException().isThrownBy(this.exclusiveClinic::saveAThenBInNewTransactionThenFail)
			.satisfies(JpaIntegrationTests::causedBySecondTransaction);
		assertThat(ownerNames()).isEmpty();
	}

	@Test
	void nestedRequiredTransactionsCommitTogether() {
		this.clinic.saveAThenBInSameTransaction();
		assertThat(ownerNames()).containsExactly("A", "B");
	}

	@Test
	void transactionalInsideExclusiveConnectionCommits() {
		this.exclusiveClinic.saveInTransaction();
		assertThat(ownerNames()).containsExactly("T");
	}

	private List<String> ownerNames() {
		return this.owners.findAllByOrderByName().stream().map(Owner::getName).toList();
	}

	private double discards() {
		return this.meterRegistry.get("managed.connection.session.discards").counter().count();
	}

	private static void causedBySecondTransaction(Throwable thrown) {
		Throwable cause = thrown;
		while (cause != null && !(cause instanceof SecondTransactionException)) {
			cause = cause.getCause();
		}
		assertThat(cause).as("a SecondTransactionException in the causes of %s", thrown).isNotNull();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Metrics {

		@Bean
		SimpleMeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

}
