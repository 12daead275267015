package dev.managedconnection;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Masks secrets in text that may reach a log, an exception message or {@code toString()}.
 * <p>
 * pgjdbc ({@code Driver.parseURL}) splits the parameters of a JDBC URL on {@code &} only and
 * takes a value to be all that follows the first {@code =}, so {@code ;}, {@code #}, {@code ?}
 * and {@code =} are part of a password; it keeps a parameter's name as written.
 */
final class Secrets {

	/**
	 * The value after {@code password=} in any case ({@code sslpassword=} too), wherever it is,
	 * up to the next {@code &}: in the query as pgjdbc reads it, and also in a fragment or
	 * after a {@code ;}, where pgjdbc reads it as part of another value but it is meant as a
	 * password all the same.
	 */
	private static final Pattern URL_SECRET = Pattern.compile("(?i)(password=)[^&]*");

	private static final String MASK = "******";

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
	 * Return the connection properties as text with the values of password properties masked.
	 * @param properties the connection properties
	 * @return the properties safe to show
	 */
	static String maskProperties(Properties properties) {
		return maskedProperties(properties).toString();
	}

	/**
	 * Return the connection properties, defaults included, sorted by name, with the values of
	 * password properties ({@code password}, {@code sslpassword}, any name with
	 * {@code password} in it) masked.
	 * @param properties the connection properties
	 * @return the properties safe to show
	 */
	static SortedMap<String, String> maskedProperties(Properties properties) {
		SortedMap<String, String> shown = new TreeMap<>();
		for (String name : properties.stringPropertyNames()) {
			boolean secret = name.toLowerCase(Locale.ROOT).contains("password");
			shown.put(name, secret ? MASK : properties.getProperty(name));
		}
		return shown;
	}

	/**
	 * Move the {@code password} and {@code sslpassword} parameters of a JDBC URL into connection
	 * properties, where pgjdbc takes them from as well: pgjdbc logs the URL it connects with at
	 * DEBUG ({@code FINE}), so a password must not be in it. As in pgjdbc, a URL value wins over
	 * the same property. The parameters are split and decoded as pgjdbc does, and moved under
	 * their names as written, also in other cases ({@code PASSWORD}), which pgjdbc does not
	 * read as a password but would log.
	 * @param url the JDBC URL
	 * @param properties the connection properties, which receive the URL's secrets
	 * @return the URL without its secrets
	 * @throws IllegalArgumentException if a secret is not valid URL encoding, which pgjdbc
	 * would reject with a message showing it
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
			if (equals > 0 && isSecret(name)) {
				properties.setProperty(name, decode(name, parameter.substring(equals + 1)));
			}
			else if (!parameter.isEmpty()) {
				kept.append(separator).append(parameter);
				separator = '&';
			}
		}
		return kept.toString();
	}

	private static boolean isSecret(String name) {
		return name.equalsIgnoreCase("password") || name.equalsIgnoreCase("sslpassword");
	}

	private static String decode(String name, String value) {
		try {
			return URLDecoder.decode(value, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			// URLDecoder's message quotes the value: leave it out.
			throw new IllegalArgumentException("'url' has a '" + name
					+ "' parameter that is not valid URL encoding; write a '%' in it as '%25'");
		}
	}

}
