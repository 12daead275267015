package dev.managedconnection;

import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.Driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

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

	/**
	 * URLs whose passwords pgjdbc reads in full although they hold characters that end a value
	 * elsewhere; each with the secrets as written in it. Apart from what its secrets need, each
	 * URL is in lower case, so a capital letter or a digit of a secret is a leak wherever it
	 * shows.
	 */
	static Stream<Arguments> urlsWithTrickyPasswords() {
		return Stream.of(Arguments.of("jdbc:postgresql://h/db?user=u&password=HUNTER2;TOPSECRETTAIL",
				List.of("HUNTER2;TOPSECRETTAIL")),
				Arguments.of("jdbc:postgresql://h/db?password=K9#FRAGMENT&sslmode=require", List.of("K9#FRAGMENT")),
				Arguments.of("jdbc:postgresql://h/db?password=K%26Q7&sslmode=require", List.of("K%26Q7")),
				Arguments.of("jdbc:postgresql://h/db?password=FIRST1&user=u&sslmode=require", List.of("FIRST1")),
				Arguments.of("jdbc:postgresql://h/db?user=u&sslmode=require&password=LAST2", List.of("LAST2")),
				Arguments.of("jdbc:postgresql://h/db?password=ONLY3", List.of("ONLY3")),
				Arguments.of("jdbc:postgresql://h/db?password=&user=u", List.of("")),
				Arguments.of("jdbc:postgresql://h/db?PASSWORD=UPPER4&user=u", List.of("UPPER4")),
				Arguments.of("jdbc:postgresql://h/db?Password=MIXED;5&user=u", List.of("MIXED;5")),
				Arguments.of("jdbc:postgresql://h/db?sslpassword=KEY5;X&password=PW6", List.of("KEY5;X", "PW6")),
				Arguments.of("jdbc:postgresql://h/db?user=u&sslPassword=KEY;7", List.of("KEY;7")),
				Arguments.of("jdbc:postgresql://h/db?password=EQ7=Z=&user=u", List.of("EQ7=Z=")),
				Arguments.of("jdbc:postgresql://h/db?user=u&password=Q8?R;S&sslmode=require", List.of("Q8?R;S")),
				Arguments.of("jdbc:postgresql://h/db?password=SP+9%20X", List.of("SP+9%20X")),
				Arguments.of("jdbc:postgresql://h/db?password=DUP1;A&password=DUP2;B", List.of("DUP1;A", "DUP2;B")),
				Arguments.of("jdbc:postgresql://ha:5432,hb:5433/db?password=MULTI;HOST", List.of("MULTI;HOST")));
	}

	@ParameterizedTest
	@MethodSource("urlsWithTrickyPasswords")
	void maskUrlHidesEveryCharacterOfThePasswordsPgjdbcReads(String url, List<String> secrets) throws SQLException {
		List<String> passwords = passwordsReadByPgjdbc(url);
		assertThat(passwords).as("passwords pgjdbc reads in %s", url).isNotEmpty();
		assertThat(shownSecretCharacters(Secrets.maskUrl(url), url, secrets, passwords)).isEmpty();
	}

	@ParameterizedTest
	@MethodSource("urlsWithTrickyPasswords")
	void moveUrlSecretsLeavesPgjdbcReadingTheSamePropertiesFromAUrlWithoutThem(String url, List<String> secrets)
			throws SQLException {
		Properties properties = new Properties();
		String moved = Secrets.moveUrlSecrets(url, properties);
		Properties original = Driver.parseURL(url, new Properties());
		Properties effective = Driver.parseURL(moved, properties);
		for (String name : original.stringPropertyNames()) {
			assertThat(effective.getProperty(name)).as(name).isEqualTo(original.getProperty(name));
		}
		assertThat(passwordsReadByPgjdbc(moved)).isEmpty();
		assertThat(shownSecretCharacters(moved, url, secrets, passwordsReadByPgjdbc(url))).isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "jdbc:postgresql://h/db?sslmode=require#password=FRAG9",
			"jdbc:postgresql://h/db?user=u#sslpassword=FRAG9&sslmode=require", "jdbc:postgresql://h/db;password=FRAG9",
			"jdbc:postgresql://h/db;password=FRAG9?user=u", "jdbc:postgresql://h/db?user=u;password=FRAG9" })
	void maskUrlHidesPasswordsInAFragmentOrAfterASemicolonToo(String url) {
		// pgjdbc reads these as part of another value, but they are meant as passwords.
		assertThat(Secrets.maskUrl(url)).doesNotContain("F").doesNotContain("9");
	}

	@Test
	void maskUrlLeavesTheRestOfTheUrlReadable() {
		assertThat(Secrets.maskUrl("jdbc:postgresql://h/db?user=u&password=HUNTER2;TAIL&sslmode=require"))
			.isEqualTo("jdbc:postgresql://h/db?user=u&password=******&sslmode=require");
		assertThat(Secrets.maskUrl("jdbc:postgresql://h/db?passwordless=1&sslpasswordcallback=x.Y"))
			.isEqualTo("jdbc:postgresql://h/db?passwordless=1&sslpasswordcallback=x.Y");
	}

	@Test
	void moveUrlSecretsRejectsAPasswordThatIsNotUrlEncodedWithoutShowingIt() {
		// pgjdbc would reject the URL with a message that shows the whole of it.
		assertThatIllegalArgumentException()
			.isThrownBy(() -> Secrets.moveUrlSecrets("jdbc:postgresql://h/db?password=SE%ZZCRET", new Properties()))
			.withMessageContaining("'password'")
			.withMessageNotContaining("SE")
			.withMessageNotContaining("CRET");
	}

	/**
	 * Return the values of the parameters that pgjdbc reads from the URL under a password
	 * name, in any case.
	 */
	private static List<String> passwordsReadByPgjdbc(String url) throws SQLException {
		Properties parsed = Driver.parseURL(url, new Properties());
		assertThat(parsed).as("pgjdbc reads %s", url).isNotNull();
		return parsed.stringPropertyNames()
			.stream()
			.filter((name) -> name.equalsIgnoreCase("password") || name.equalsIgnoreCase("sslpassword"))
			.map(parsed::getProperty)
			.toList();
	}

	/**
	 * Return the characters of the secrets, as written and as pgjdbc decodes them, that the
	 * shown text holds although the rest of the URL does not need them.
	 */
	private static List<Character> shownSecretCharacters(String shown, String url, List<String> secrets,
			List<String> passwords) {
		String rest = url;
		for (String secret : secrets) {
			if (!secret.isEmpty()) {
				rest = rest.replace(secret, "");
			}
		}
		String needed = rest;
		return Stream.concat(secrets.stream(), passwords.stream())
			.flatMapToInt(String::chars)
			.mapToObj((c) -> (char) c)
			.filter((c) -> needed.indexOf(c) < 0 && shown.indexOf(c) >= 0)
			.distinct()
			.toList();
	}

}
