package dev.managedconnection.annotation;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import dev.managedconnection.ManagedConnection;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

import org.springframework.aop.Advisor;
import org.springframework.aop.MethodMatcher;
import org.springframework.aop.Pointcut;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ExclusiveConnectionBeanPostProcessor} in an application context: which
 * beans it proxies, where its advice goes, and what it rejects at startup. No call reaches
 * the managed connection here; {@link ExclusiveConnectionInterceptorTests} covers calls.
 */
class ExclusiveConnectionBeanPostProcessorTests {

	@Test
	void beanWithAnAnnotatedMethodIsProxiedWithTheInterceptor() {
		run(Map.of(), (context) -> context.registerBean("service", MethodLevelService.class), (context) -> {
			Object service = context.getBean("service");
			assertThat(AopUtils.isAopProxy(service)).isTrue();
			assertThat(interceptors(service)).hasExactlyElementsOfTypes(ExclusiveConnectionInterceptor.class);
		});
	}

	@Test
	void beanWithATypeLevelAnnotationIsProxied() {
		run(Map.of(), (context) -> context.registerBean("service", TypeLevelService.class),
				(context) -> assertThat(AopUtils.isAopProxy(context.getBean("service"))).isTrue());
	}

	@Test
	void beanWithAMetaAnnotatedMethodIsProxied() {
		run(Map.of(), (context) -> context.registerBean("service", MetaAnnotatedService.class),
				(context) -> assertThat(AopUtils.isAopProxy(context.getBean("service"))).isTrue());
	}

	@Test
	void beanWithoutTheAnnotationIsNotProxied() {
		run(Map.of(), (context) -> context.registerBean("service", PlainService.class),
				(context) -> assertThat(AopUtils.isAopProxy(context.getBean("service"))).isFalse());
	}

	@Test
	void adviceIsPutInFrontOfAnExistingProxysAdvisors() {
		MethodInterceptor existing = (invocation) -> invocation.proceed();
		run(Map.of(), (context) -> context.registerBean("service", Object.class, () -> {
			ProxyFactory proxyFactory = new ProxyFactory(new MethodLevelService());
			proxyFactory.setProxyTargetClass(true);
			proxyFactory.addAdvice(existing);
			return proxyFactory.getProxy();
		}), (context) -> {
			List<Object> interceptors = interceptors(context.getBean("service"));
			assertThat(interceptors).hasSize(2);
			assertThat(interceptors.get(0)).isInstanceOf(ExclusiveConnectionInterceptor.class);
			assertThat(interceptors.get(1)).isSameAs(existing);
		});
	}

	@Test
	void managedConnectionIsNotLookedUpUntilAnAnnotatedMethodIsCalled() {
		GenericApplicationContext context = new GenericApplicationContext();
		context.registerBean(ExclusiveConnectionBeanPostProcessor.class,
				() -> new ExclusiveConnectionBeanPostProcessor(() -> {
					throw new AssertionError("The managed connection was looked up during startup");
				}));
		context.registerBean("service", MethodLevelService.class);
		context.refresh();
		context.close();
	}

	@Test
	void pointcutCoversPublicMethodsOfAnAnnotatedTypeButNotObjectsOrNonPublicOnes() throws Exception {
		Pointcut pointcut = ExclusiveConnectionBeanPostProcessor.pointcut();
		assertThat(pointcut.getClassFilter().matches(TypeLevelService.class)).isTrue();
		MethodMatcher methodMatcher = pointcut.getMethodMatcher();
		assertThat(methodMatcher.matches(TypeLevelService.class.getMethod("run"), TypeLevelService.class)).isTrue();
		assertThat(methodMatcher.matches(TypeLevelService.class.getDeclaredMethod("helper"), TypeLevelService.class))
			.isFalse();
		assertThat(methodMatcher.matches(Object.class.getMethod("toString"), TypeLevelService.class)).isFalse();
		assertThat(methodMatcher.matches(Object.class.getMethod("hashCode"), TypeLevelService.class)).isFalse();
	}

	@Test
	void pointcutCoversOnlyTheAnnotatedMethodsOfAnUnannotatedType() throws Exception {
		Pointcut pointcut = ExclusiveConnectionBeanPostProcessor.pointcut();
		assertThat(pointcut.getClassFilter().matches(MixedService.class)).isTrue();
		MethodMatcher methodMatcher = pointcut.getMethodMatcher();
		assertThat(methodMatcher.matches(MixedService.class.getMethod("run"), MixedService.class)).isTrue();
		assertThat(methodMatcher.matches(MixedService.class.getMethod("loadLater"), MixedService.class)).isFalse();
	}

	@Test
	void methodReturningCompletableFutureIsRejectedAtStartup() {
		assertRejected(CompletableFutureService.class, "CompletableFutureService.load",
				CompletableFuture.class.getName());
	}

	@Test
	void methodReturningFutureIsRejectedAtStartup() {
		assertRejected(FutureService.class, "FutureService.load", "java.util.concurrent.Future");
	}

	@Test
	void methodReturningAReactiveStreamsPublisherIsRejectedAtStartup() {
		assertRejected(PublisherService.class, "PublisherService.load", "org.reactivestreams.Publisher");
	}

	@Test
	void methodReturningAClassThatIsIndirectlyAPublisherIsRejectedAtStartup() {
		assertRejected(IndirectPublisherService.class, "IndirectPublisherService.load",
				"org.reactivestreams.Publisher");
	}

	@Test
	void methodReturningAFlowPublisherIsRejectedAtStartup() {
		assertRejected(FlowPublisherService.class, "FlowPublisherService.load", Flow.Publisher.class.getName());
	}

	@Test
	void asynchronousMethodCoveredByATypeLevelAnnotationIsRejectedAtStartup() {
		assertRejected(TypeLevelAsyncService.class, "TypeLevelAsyncService.loadLater",
				CompletableFuture.class.getName());
	}

	@Test
	void asynchronousMethodWithoutTheAnnotationIsAccepted() {
		run(Map.of(), (context) -> context.registerBean("service", MixedService.class),
				(context) -> assertThat(AopUtils.isAopProxy(context.getBean("service"))).isTrue());
	}

	@Test
	void invalidAcquireTimeoutIsRejectedAtStartup() {
		assertThatExceptionOfType(BeanCreationException.class)
			.isThrownBy(() -> run(Map.of(), (context) -> context.registerBean("service", InvalidTimeoutService.class),
					(context) -> {
					}))
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("InvalidTimeoutService.run")
			.withMessageContaining("'never'");
	}

	@Test
	void acquireTimeoutPlaceholderIsResolvedFromTheEnvironment() {
		assertThatExceptionOfType(BeanCreationException.class)
			.isThrownBy(() -> run(Map.of("lock.timeout", "0ms"),
					(context) -> context.registerBean("service", PlaceholderTimeoutService.class), (context) -> {
					}))
			.havingRootCause()
			.withMessageContaining("'${lock.timeout}' (resolved to '0ms')");
		run(Map.of("lock.timeout", "2s"), (context) -> context.registerBean("service", PlaceholderTimeoutService.class),
				(context) -> assertThat(AopUtils.isAopProxy(context.getBean("service"))).isTrue());
	}

	private static void assertRejected(Class<?> serviceType, String method, String returnType) {
		assertThatExceptionOfType(BeanCreationException.class)
			.isThrownBy(() -> run(Map.of(), (context) -> context.registerBean("service", serviceType), (context) -> {
			}))
			.havingRootCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("@ExclusiveConnection cannot be applied to '")
			.withMessageContaining(method + "' of bean 'service'")
			.withMessageContaining(returnType);
	}

	private static void run(Map<String, Object> properties, Consumer<GenericApplicationContext> registrations,
			Consumer<GenericApplicationContext> assertions) {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", properties));
			context.registerBean(ExclusiveConnectionBeanPostProcessor.class, () -> new ExclusiveConnectionBeanPostProcessor(
					ExclusiveConnectionBeanPostProcessorTests::noConnection));
			registrations.accept(context);
			context.refresh();
			assertions.accept(context);
		}
	}

	private static ManagedConnection noConnection() {
		throw new AssertionError("No call should reach the managed connection in these tests");
	}

	private static List<Object> interceptors(Object bean) {
		assertThat(bean).isInstanceOf(Advised.class);
		return Arrays.stream(((Advised) bean).getAdvisors()).map(Advisor::getAdvice).map(Object.class::cast).toList();
	}

	@Retention(RetentionPolicy.RUNTIME)
	@ExclusiveConnection(commit = true)
	@interface Committing {

	}

	static class MethodLevelService {

		@ExclusiveConnection
		public void run() {
		}

	}

	@ExclusiveConnection
	static class TypeLevelService {

		public void run() {
		}

		void helper() {
		}

	}

	static class MetaAnnotatedService {

		@Committing
		public void run() {
		}

	}

	static class PlainService {

		public void run() {
		}

	}

	static class CompletableFutureService {

		@ExclusiveConnection
		public CompletableFuture<String> load() {
			return CompletableFuture.completedFuture("x");
		}

	}

	static class FutureService {

		@ExclusiveConnection
		public Future<String> load() {
			return CompletableFuture.completedFuture("x");
		}

	}

	static class PublisherService {

		@ExclusiveConnection
		public Publisher<String> load() {
			return Subscriber::onComplete;
		}

	}

	/** Stands in for a Reactor type: a class implementing a sub-interface of Publisher. */
	interface CorePublisher<T> extends Publisher<T> {

	}

	static class Mono<T> implements CorePublisher<T> {

		@Override
		public void subscribe(Subscriber<? super T> subscriber) {
			subscriber.onComplete();
		}

	}

	static class IndirectPublisherService {

		@ExclusiveConnection
		public Mono<String> load() {
			return new Mono<>();
		}

	}

	static class FlowPublisherService {

		@ExclusiveConnection
		public Flow.Publisher<String> load() {
			return Flow.Subscriber::onComplete;
		}

	}

	@ExclusiveConnection
	static class TypeLevelAsyncService {

		public void run() {
		}

		public CompletableFuture<String> loadLater() {
			return CompletableFuture.completedFuture("x");
		}

	}

	static class MixedService {

		@ExclusiveConnection
		public void run() {
		}

		public CompletableFuture<String> loadLater() {
			return CompletableFuture.completedFuture("x");
		}

	}

	static class InvalidTimeoutService {

		@ExclusiveConnection(acquireTimeout = "never")
		public void run() {
		}

	}

	static class PlaceholderTimeoutService {

		@ExclusiveConnection(acquireTimeout = "${lock.timeout}")
		public void run() {
		}

	}

}
