package com.example.ledger;

import java.net.http.HttpResponse;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An HTTP response from the {@link RunningLedger}, with its body as JSON.
 */
public final class Response {

	private static final JsonMapper jsonMapper = JsonMapper.builder().build();

	// What must never reach a client: stack frames, Java or JDBC internals, SQL.
	private static final String[] LEAKS = { "Exception", "\tat ", "at com.", "at org.", "at java.", "java.",
			"org.postgresql", "org.springframework", "tools.jackson", "com.example", "jdbc:", "SELECT", "INSERT",
			"UPDATE", "DELETE", "FOR UPDATE", "pg_backend_pid", "PSQL", "SQLState", "ERROR:" };

	private final HttpResponse<String> response;

	Response(HttpResponse<String> response) {
		this.response = response;
	}

	public int status() {
		return this.response.statusCode();
	}

	public @Nullable String header(String name) {
		return this.response.headers().firstValue(name).orElse(null);
	}

	public String body() {
		return this.response.body();
	}

	public JsonNode json() {
		return jsonMapper.readTree(this.response.body());
	}

	/**
	 * Assert the status and return the JSON body.
	 * @param expected the expected status
	 * @return the body
	 */
	public JsonNode expect(int expected) {
		assertThat(status()).as("status of %s, body %s", this.response.request().uri(), body()).isEqualTo(expected);
		return json();
	}

	/**
	 * Assert that this is an RFC 9457 problem with the given status that leaks nothing.
	 * @param expected the expected status
	 * @return the problem
	 */
	public JsonNode expectProblem(int expected) {
		JsonNode problem = expect(expected);
		assertThat(header("Content-Type")).startsWith("application/problem+json");
		assertThat(problem.get("status").asInt()).isEqualTo(expected);
		assertThat(problem.get("title").asString()).isNotBlank();
		assertThat(body()).doesNotContain(LEAKS);
		return problem;
	}

	/**
	 * Assert that this is a problem with the given status and type, ending in the given name.
	 * @param expected the expected status
	 * @param typeName the last segment of the expected problem type
	 * @return the problem
	 */
	public JsonNode expectProblem(int expected, String typeName) {
		JsonNode problem = expectProblem(expected);
		assertThat(problem.get("type").asString()).endsWith("/problems/" + typeName);
		return problem;
	}

}
