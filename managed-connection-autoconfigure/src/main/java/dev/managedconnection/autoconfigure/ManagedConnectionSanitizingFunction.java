package dev.managedconnection.autoconfigure;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;

/**
 * {@link SanitizingFunction} that hides the database password in Actuator's {@code env} and
 * {@code configprops} endpoints wherever the managed connection may read it from, even when
 * they are set to show values: the whole value of {@code spring.datasource.password} and of
 * {@code managed-connection.properties.password} and {@code sslpassword} (in any spelling,
 * environment variables included), and the value of a {@code password} or
 * {@code sslpassword} parameter inside any value, such as a JDBC URL or the command line,
 * whose other parts stay readable. Other values are left alone.
 */
final class ManagedConnectionSanitizingFunction implements SanitizingFunction {

	// Keys with case and separators removed, so that 'SPRING_DATASOURCE_PASSWORD' and
	// 'managed-connection.properties[password]' match too.
	private static final Set<String> PASSWORD_KEYS = Set.of("springdatasourcepassword",
			"managedconnectionpropertiespassword", "managedconnectionpropertiessslpassword");

	private static final Pattern KEY_SEPARATORS = Pattern.compile("[-._\\[\\]]");

	// pgjdbc splits URL parameters on '&' only: a ';' is part of the password.
	private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)((?:ssl)?password=)[^&\\s]+");

	@Override
	public SanitizableData apply(SanitizableData data) {
		Object value = data.getValue();
		if (value == null) {
			return data;
		}
		if (isPasswordKey(data.getKey())) {
			return data.withSanitizedValue();
		}
		if (value instanceof CharSequence text) {
			String shown = text.toString();
			String masked = PASSWORD_PARAMETER.matcher(shown).replaceAll("$1" + SanitizableData.SANITIZED_VALUE);
			if (!masked.equals(shown)) {
				return data.withValue(masked);
			}
		}
		return data;
	}

	private static boolean isPasswordKey(@Nullable String key) {
		return key != null
				&& PASSWORD_KEYS.contains(KEY_SEPARATORS.matcher(key.toLowerCase(Locale.ROOT)).replaceAll(""));
	}

}
