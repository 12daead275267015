package dev.managedconnection;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.managedconnection.annotation.ExclusiveConnection;
import dev.managedconnection.annotation.PostgresNotificationListener;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that a native image gets every JDK proxy and reflective access the managed connection
 * needs: from the run-time hints registered in {@code META-INF/spring/aot.factories} with
 * Spring, and from the reachability metadata without it. The lists are held to the ones the
 * code uses, so a new proxy type without a hint fails here.
 */
class RuntimeHintsTests {

	private static final String METADATA = "META-INF/native-image/dev.managedconnection/"
			+ "managed-connection-autoconfigure/reachability-metadata.json";

	private final RuntimeHints hints = registeredHints();

	private static RuntimeHints registeredHints() {
		RuntimeHints hints = new RuntimeHints();
		SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories")
			.load(RuntimeHintsRegistrar.class)
			.stream()
			.filter((registrar) -> registrar.getClass().getName().startsWith("dev.managedconnection."))
			.forEach((registrar) -> registrar.registerHints(hints, RuntimeHintsTests.class.getClassLoader()));
		return hints;
	}

	@Test
	void everyJdbcProxyTypeHasAProxyHintAndNothingElseDoes() {
		for (Class<?> type : JdbcProxies.INTERFACES) {
			assertThat(RuntimeHintsPredicates.proxies().forInterfaces(type)).accepts(this.hints);
		}
		Set<String> jdbcProxies = this.hints.proxies()
			.jdkProxyHints()
			.map((hint) -> hint.getProxiedInterfaces())
			.filter((interfaces) -> interfaces.get(0).getName().startsWith("java.sql."))
			.map((interfaces) -> interfaces.stream().map(TypeReference::getName).collect(Collectors.joining(",")))
			.collect(Collectors.toSet());
		assertThat(jdbcProxies).isEqualTo(names(JdbcProxies.INTERFACES));
	}

	@Test
	void theCopyGuardMayReadPgjdbcsLockHolder() throws ClassNotFoundException {
		assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(CopyGuard.EXECUTOR_CLASS, CopyGuard.LOCKED_FOR_FIELD))
			.accepts(this.hints);
		assertThat(CopyGuard.isAvailable()).as("the field exists in this pgjdbc").isTrue();
	}

	@Test
	void theAnnotationsMayBeSynthesizedAsMetaAnnotations() {
		for (Class<?> annotation : List.of(ExclusiveConnection.class, PostgresNotificationListener.class)) {
			assertThat(RuntimeHintsPredicates.reflection()
				.onType(annotation)
				.withMemberCategory(MemberCategory.INVOKE_DECLARED_METHODS)).accepts(this.hints);
			assertThat(RuntimeHintsPredicates.proxies().forInterfaces(annotation)).accepts(this.hints);
		}
	}

	@Test
	void theReachabilityMetadataDeclaresEachProxyWithTheConstructorJdbcProxiesLooksUp() throws IOException {
		DocumentContext metadata = metadata();
		List<List<String>> proxies = metadata.read("$.reflection[?(@.type.proxy)].type.proxy");
		assertThat(proxies).allSatisfy((interfaces) -> assertThat(interfaces).hasSize(1));
		assertThat(proxies.stream().map((interfaces) -> interfaces.get(0)).collect(Collectors.toSet()))
			.isEqualTo(names(JdbcProxies.INTERFACES));
		List<List<Map<String, Object>>> methods = metadata.read("$.reflection[?(@.type.proxy)].methods");
		assertThat(methods).hasSameSizeAs(proxies)
			.allSatisfy((declared) -> assertThat(declared).containsExactly(
					Map.of("name", "<init>", "parameterTypes", List.of(InvocationHandler.class.getName()))));
		for (Class<?> type : JdbcProxies.INTERFACES) {
			Class<?> proxyClass = Proxy
				.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { type }, (proxy, method, args) -> null)
				.getClass();
			assertThat(proxyClass.getConstructors()).anySatisfy(
					(constructor) -> assertThat(constructor.getParameterTypes()).containsExactly(InvocationHandler.class));
		}
	}

	@Test
	void theReachabilityMetadataDeclaresTheCopyGuardsField() throws IOException {
		List<List<Map<String, Object>>> fields = metadata()
			.read("$.reflection[?(@.type == '" + CopyGuard.EXECUTOR_CLASS + "')].fields");
		assertThat(fields).containsExactly(List.of(Map.of("name", CopyGuard.LOCKED_FOR_FIELD)));
	}

	private static DocumentContext metadata() throws IOException {
		try (InputStream json = RuntimeHintsTests.class.getClassLoader().getResourceAsStream(METADATA)) {
			assertThat(json).as(METADATA).isNotNull();
			return JsonPath.parse(json);
		}
	}

	private static Set<String> names(List<Class<?>> types) {
		return types.stream().map(Class::getName).collect(Collectors.toSet());
	}

}
