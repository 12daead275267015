package dev.managedconnection;

import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Secrets}.
 */
class SecretsTests {

	@Test
	void moveUrlSecretsTakesPasswordsOutOfTheUrlDecodedAndWinningOverProperties() {
		Properties properties = new Properties();
		properties.setProperty("password", "from-property");
		String url = Secrets.moveUrlSecrets(
				"jdbc:postgresql://h/db?sslmode=require&password=p%40ss+word&ApplicationName=app&sslpassword=key", properties);
		assertThat(url).isEqualTo("jdbc:postgresql://h/db?sslmode=require&ApplicationName=app");
		assertThat(properties).containsEntry("password", "p@ss word").containsEntry("sslpassword", "key");
	}

	@Test
	void moveUrlSecretsLeavesUrlsWithoutSecretsAlone() {
		Properties properties = new Properties();
		assertThat(Secrets.moveUrlSecrets("jdbc:postgresql://h/db", properties)).isEqualTo("jdbc:postgresql://h/db");
		assertThat(Secrets.moveUrlSecrets("jdbc:postgresql://h/db?password=", properties))
			.isEqualTo("jdbc:postgresql://h/db");
		assertThat(Secrets.moveUrlSecrets("jdbc:postgresql://h/db?passwordless=1", properties))
			.isEqualTo("jdbc:postgresql://h/db?passwordless=1");
		assertThat(properties).containsOnlyKeys("password").containsEntry("password", "");
	}

}
