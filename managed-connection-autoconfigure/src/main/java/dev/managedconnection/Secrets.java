package dev.managedconnection;

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

}
