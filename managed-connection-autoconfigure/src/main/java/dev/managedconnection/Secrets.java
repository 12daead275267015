package dev.managedconnection;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Masks secrets in text that may reach a log, an exception message or {@code toString()}.
 */
final class Secrets {

	private static final Pattern URL_SECRET = Pattern.compile("(?i)((?:ssl)?password=)[^&;]*");

	private Secrets() {
	}

	/**
	 * Return the JDBC URL with the values of its password parameters masked.
	 * @param url the JDBC URL
	 * @return the URL safe to show
	 */
	static String maskUrl(String url) {
		return URL_SECRET.matcher(url).replaceAll("$1******");
	}

	/**
	 * Move the {@code password} and {@code sslpassword} parameters of a JDBC URL into connection
	 * properties, where pgjdbc takes them from as well: pgjdbc logs the URL it connects with at
	 * DEBUG ({@code FINE}), so a password must not be in it. As in pgjdbc, a URL value wins over
	 * the same property.
	 * @param url the JDBC URL
	 * @param properties the connection properties, which receive the URL's secrets
	 * @return the URL without its secrets
	 */
	static String moveUrlSecrets(String url, Properties properties) {
		int query = url.indexOf('?');
		if (query < 0) {
			return url;
		}
		StringBuilder kept = new StringBuilder(url.length()).append(url, 0, query);
		char separator = '?';
		for (String parameter : url.substring(query + 1).split("&")) {
			int equals = parameter.indexOf('=');
			String name = (equals < 0) ? parameter : parameter.substring(0, equals);
			if (equals > 0 && (name.equals("password") || name.equals("sslpassword"))) {
				properties.setProperty(name, URLDecoder.decode(parameter.substring(equals + 1), StandardCharsets.UTF_8));
			}
			else if (!parameter.isEmpty()) {
				kept.append(separator).append(parameter);
				separator = '&';
			}
		}
		return kept.toString();
	}

}
