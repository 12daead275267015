package dev.managedconnection.annotation;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.time.Duration;

import dev.managedconnection.ScopeOptions;
import org.junit.jupiter.api.Test;

import org.springframework.transaction.annotation.Isolation;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link ExclusiveConnectionAttributeSource}.
 */
class ExclusiveConnectionAttributeSourceTests {

	private final ExclusiveConnectionAttributeSource source = new ExclusiveConnectionAttributeSource();

	@Test
	void methodWithoutAnnotationHasNoScopeOptions() {
		assertThat(this.source.getScopeOptions(method(Plain.class, "run"), Plain.class)).isNull();
	}

	@Test
	void defaultAttributesGiveTheDefaultScopeOptions() {
		assertThat(this.source.getScopeOptions(method(Annotated.class, "defaults"), Annotated.class))
			.isEqualTo(ScopeOptions.DEFAULT);
	}

	@Test
	void attributesBecomeScopeOptions() {
		assertThat(this.source.getScopeOptions(method(Annotated.class, "everything"), Annotated.class))
			.isEqualTo(new ScopeOptions(Duration.ofMillis(1500), true, true));
	}

	@Test
	void transactionCharacteristicsBecomeScopeOptions() {
		assertThat(this.source.getScopeOptions(method(Annotated.class, "readOnlySerializableDeferrable"), Annotated.class))
			.isEqualTo(ScopeOptions.DEFAULT.withReadOnly(true)
				.withIsolation(Connection.TRANSACTION_SERIALIZABLE)
				.withDeferrable(true));
	}

	@Test
	void eachIsolationBecomesItsJdbcLevel() {
		assertThat(isolationOf("readUncommitted")).isEqualTo(Connection.TRANSACTION_READ_UNCOMMITTED);
		assertThat(isolationOf("readCommitted")).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
		assertThat(isolationOf("repeatableRead")).isEqualTo(Connection.TRANSACTION_REPEATABLE_READ);
	}

	@Test
	void defaultIsolationAndFalseFlagsChangeNoCharacteristic() {
		ScopeOptions options = this.source.getScopeOptions(method(Annotated.class, "defaultCharacteristics"),
				Annotated.class);
		assertThat(options).isEqualTo(ScopeOptions.DEFAULT);
		assertThat(options.readOnly()).isNull();
		assertThat(options.isolation()).isNull();
		assertThat(options.deferrable()).isNull();
	}

	@Test
	void scopeOptionsAreParsedOnceAndCached() {
		Method method = method(Annotated.class, "everything");
		ScopeOptions first = this.source.getScopeOptions(method, Annotated.class);
		assertThat(this.source.getScopeOptions(method, Annotated.class)).isSameAs(first);
	}

	@Test
	void acquireTimeoutAcceptsIsoAndSimpleFormsAndBareMilliseconds() {
		assertThat(timeoutOf("iso")).isEqualTo(Duration.ofSeconds(2));
		assertThat(timeoutOf("simple")).isEqualTo(Duration.ofSeconds(2));
		assertThat(timeoutOf("bare")).isEqualTo(Duration.ofMillis(250));
	}

	@Test
	void acquireTimeoutPlaceholderIsResolved() {
		this.source.setValueResolver((value) -> value.replace("${lock.timeout}", "3s"));
		assertThat(timeoutOf("placeholder")).isEqualTo(Duration.ofSeconds(3));
	}

	@Test
	void acquireTimeoutResolvedToEmptyUsesTheConfiguredDefault() {
		this.source.setValueResolver((value) -> value.replace("${lock.timeout}", ""));
		assertThat(timeoutOf("placeholder")).isNull();
	}

	@Test
	void unparsableAcquireTimeoutIsRejectedNamingTheMethod() {
		assertThatIllegalStateException()
			.isThrownBy(() -> this.source.getScopeOptions(method(Invalid.class, "unparsable"), Invalid.class))
			.withMessageContaining("'soon'")
			.withMessageContaining(Invalid.class.getName() + ".unparsable")
			.withMessageContaining("not a duration");
	}

	@Test
	void zeroAcquireTimeoutIsRejected() {
		assertThatIllegalStateException()
			.isThrownBy(() -> this.source.getScopeOptions(method(Invalid.class, "zero"), Invalid.class))
			.withMessageContaining("must be greater than zero");
	}

	@Test
	void resolvedValueIsShownWhenAPlaceholderMakesItInvalid() {
		this.source.setValueResolver((value) -> value.replace("${lock.timeout}", "-1s"));
		assertThatIllegalStateException()
			.isThrownBy(() -> this.source.getScopeOptions(method(Annotated.class, "placeholder"), Annotated.class))
			.withMessageContaining("'${lock.timeout}' (resolved to '-1s')");
	}

	@Test
	void typeLevelAnnotationCoversPublicMethods() {
		assertThat(this.source.getScopeOptions(method(TypeLevel.class, "publicMethod"), TypeLevel.class))
			.isEqualTo(ScopeOptions.DEFAULT.withCommit(true));
	}

	@Test
	void typeLevelAnnotationDoesNotCoverNonPublicOrObjectMethods() {
		assertThat(this.source.getScopeOptions(method(TypeLevel.class, "packagePrivateMethod"), TypeLevel.class))
			.isNull();
		assertThat(this.source.getScopeOptions(method(TypeLevel.class, "toString"), TypeLevel.class)).isNull();
	}

	@Test
	void methodLevelAnnotationOverridesTypeLevelAnnotation() {
		assertThat(this.source.getScopeOptions(method(TypeLevel.class, "overridden"), TypeLevel.class))
			.isEqualTo(ScopeOptions.DEFAULT.withClose(true));
	}

	@Test
	void annotationOnAnInterfaceMethodAppliesToTheImplementation() {
		Method interfaceMethod = method(Api.class, "call");
		assertThat(this.source.getScopeOptions(interfaceMethod, ApiImpl.class))
			.isEqualTo(ScopeOptions.DEFAULT.withCommit(true));
	}

	@Test
	void oneMethodCalledOnDifferentTargetClassesGetsEachClassesOwnOptionsInAnyOrder() {
		Method interfaceMethod = method(Api.class, "call");
		for (int i = 0; i < 2; i++) {
			assertThat(this.source.getScopeOptions(interfaceMethod, ApiImpl.class))
				.isEqualTo(ScopeOptions.DEFAULT.withCommit(true));
			assertThat(this.source.getScopeOptions(interfaceMethod, ClosingApiImpl.class))
				.isEqualTo(ScopeOptions.DEFAULT.withClose(true));
			assertThat(this.source.getScopeOptions(interfaceMethod, null))
				.isEqualTo(ScopeOptions.DEFAULT.withCommit(true));
		}
	}

	@Test
	void metaAnnotationWorks() {
		assertThat(this.source.getScopeOptions(method(Annotated.class, "meta"), Annotated.class))
			.isEqualTo(new ScopeOptions(Duration.ofSeconds(1), true, false));
	}

	private Integer isolationOf(String methodName) {
		ScopeOptions options = this.source.getScopeOptions(method(Annotated.class, methodName), Annotated.class);
		assertThat(options).isNotNull();
		return options.isolation();
	}

	private Duration timeoutOf(String methodName) {
		ScopeOptions options = this.source.getScopeOptions(method(Annotated.class, methodName), Annotated.class);
		assertThat(options).isNotNull();
		return options.acquireTimeout();
	}

	private static Method method(Class<?> type, String name) {
		Method method = ReflectionUtils.findMethod(type, name);
		assertThat(method).as(name).isNotNull();
		return method;
	}

	@Retention(RetentionPolicy.RUNTIME)
	@ExclusiveConnection(commit = true, acquireTimeout = "1s")
	@interface Committing {

	}

	static class Plain {

		public void run() {
		}

	}

	static class Annotated {

		@ExclusiveConnection
		public void defaults() {
		}

		@ExclusiveConnection(commit = true, close = true, acquireTimeout = "1500ms")
		public void everything() {
		}

		@ExclusiveConnection(acquireTimeout = "PT2S")
		public void iso() {
		}

		@ExclusiveConnection(acquireTimeout = "2s")
		public void simple() {
		}

		@ExclusiveConnection(acquireTimeout = "250")
		public void bare() {
		}

		@ExclusiveConnection(acquireTimeout = "${lock.timeout}")
		public void placeholder() {
		}

		@Committing
		public void meta() {
		}

		@ExclusiveConnection(readOnly = true, isolation = Isolation.SERIALIZABLE, deferrable = true)
		public void readOnlySerializableDeferrable() {
		}

		@ExclusiveConnection(isolation = Isolation.READ_UNCOMMITTED)
		public void readUncommitted() {
		}

		@ExclusiveConnection(isolation = Isolation.READ_COMMITTED)
		public void readCommitted() {
		}

		@ExclusiveConnection(isolation = Isolation.REPEATABLE_READ)
		public void repeatableRead() {
		}

		@ExclusiveConnection(readOnly = false, isolation = Isolation.DEFAULT, deferrable = false)
		public void defaultCharacteristics() {
		}

	}

	static class Invalid {

		@ExclusiveConnection(acquireTimeout = "soon")
		public void unparsable() {
		}

		@ExclusiveConnection(acquireTimeout = "0s")
		public void zero() {
		}

	}

	@ExclusiveConnection(commit = true)
	static class TypeLevel {

		public void publicMethod() {
		}

		void packagePrivateMethod() {
		}

		@ExclusiveConnection(close = true)
		public void overridden() {
		}

		@Override
		public String toString() {
			return "TypeLevel";
		}

	}

	interface Api {

		@ExclusiveConnection(commit = true)
		void call();

	}

	static class ApiImpl implements Api {

		@Override
		public void call() {
		}

	}

	static class ClosingApiImpl implements Api {

		@Override
		@ExclusiveConnection(close = true)
		public void call() {
		}

	}

}
