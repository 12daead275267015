package dev.managedconnection.annotation;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import dev.managedconnection.ManagedConnection;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ClassFilter;
import org.springframework.aop.MethodMatcher;
import org.springframework.aop.Pointcut;
import org.springframework.aop.framework.AopInfrastructureBean;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcher;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.context.EmbeddedValueResolverAware;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringValueResolver;

/**
 * Bean post-processor that applies {@link ExclusiveConnection @ExclusiveConnection} to
 * beans: it proxies every bean with an annotated method, or adds its advisor in front of
 * an existing proxy's advisors, so that the connection is acquired before, and released
 * after, any other advice such as {@code @Transactional}.
 * <p>
 * Each bean's annotated methods are checked when the bean is created, so that a method
 * returning {@link CompletionStage}, {@link Future} or a reactive {@code Publisher}, or an
 * annotation with an invalid {@link ExclusiveConnection#acquireTimeout() acquireTimeout},
 * fails the application's startup with a message naming the method.
 *
 * @since 0.1.0
 */
@SuppressWarnings("serial")
public class ExclusiveConnectionBeanPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor
		implements EmbeddedValueResolverAware {

	private static final Set<String> PUBLISHER_TYPE_NAMES = Set.of("org.reactivestreams.Publisher",
			Flow.Publisher.class.getName());

	private final ExclusiveConnectionAttributeSource attributeSource = new ExclusiveConnectionAttributeSource();

	private final Pointcut pointcut = pointcut();

	/**
	 * Create a post-processor whose interceptor uses the given managed connection.
	 * @param managedConnection supplies the managed connection; called on the first
	 * intercepted call, so a lazy lookup such as {@code ObjectProvider::getObject} keeps
	 * the connection out of the post-processor's own initialization
	 */
	public ExclusiveConnectionBeanPostProcessor(Supplier<ManagedConnection> managedConnection) {
		// Outermost advice: the connection is held before a transaction begins on it.
		setBeforeExistingAdvisors(true);
		this.advisor = new DefaultPointcutAdvisor(this.pointcut,
				new ExclusiveConnectionInterceptor(managedConnection, this.attributeSource));
	}

	@Override
	public void setEmbeddedValueResolver(StringValueResolver resolver) {
		this.attributeSource.setValueResolver(resolver);
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (!(bean instanceof AopInfrastructureBean)) {
			Class<?> targetClass = AopUtils.getTargetClass(bean);
			if (isEligible(targetClass)) {
				checkAnnotatedMethods(targetClass, beanName);
			}
		}
		return super.postProcessAfterInitialization(bean, beanName);
	}

	private void checkAnnotatedMethods(Class<?> targetClass, String beanName) {
		ClassFilter classFilter = this.pointcut.getClassFilter();
		MethodMatcher methodMatcher = this.pointcut.getMethodMatcher();
		for (Method method : ReflectionUtils.getUniqueDeclaredMethods(targetClass,
				ReflectionUtils.USER_DECLARED_METHODS)) {
			if (classFilter.matches(targetClass) && methodMatcher.matches(method, targetClass)) {
				checkReturnType(method, beanName);
				// Parses, validates and caches the annotation's attributes now rather than on
				// the first call.
				this.attributeSource.getScopeOptions(method, targetClass);
			}
		}
	}

	private static void checkReturnType(Method method, String beanName) {
		Class<?> returnType = method.getReturnType();
		String asynchronousType = asynchronousType(returnType);
		if (asynchronousType != null) {
			throw new IllegalStateException("@ExclusiveConnection cannot be applied to '"
					+ ExclusiveConnectionAttributeSource.describe(method) + "' of bean '" + beanName
					+ "': it returns " + returnType.getName() + " (a " + asynchronousType
					+ "), but the connection is held by the calling thread and would be released before the "
					+ "asynchronous work completes. Return the result synchronously, or call an "
					+ "@ExclusiveConnection method from inside the asynchronous task.");
		}
	}

	private static @Nullable String asynchronousType(Class<?> returnType) {
		if (CompletionStage.class.isAssignableFrom(returnType)) {
			return CompletionStage.class.getName();
		}
		if (Future.class.isAssignableFrom(returnType)) {
			return Future.class.getName();
		}
		// By name, so that Reactive Streams need not be on the classpath.
		return publisherType(returnType);
	}

	private static @Nullable String publisherType(Class<?> type) {
		if (PUBLISHER_TYPE_NAMES.contains(type.getName())) {
			return type.getName();
		}
		for (Class<?> implemented : type.getInterfaces()) {
			String publisherType = publisherType(implemented);
			if (publisherType != null) {
				return publisherType;
			}
		}
		Class<?> superclass = type.getSuperclass();
		return (superclass != null) ? publisherType(superclass) : null;
	}

	/**
	 * Build the pointcut: public methods (except {@link Object}'s) of classes annotated with
	 * {@code @ExclusiveConnection}, and methods annotated with it; both directly, through an
	 * interface or superclass, or through a meta-annotation.
	 * @return the pointcut
	 */
	static Pointcut pointcut() {
		Pointcut typeLevel = new ComposablePointcut(new AnnotationMatchingPointcut(ExclusiveConnection.class, true))
			.intersection(PublicMethodMatcher.INSTANCE);
		Pointcut methodLevel = new AnnotationMatchingPointcut(null, ExclusiveConnection.class, true);
		return new ComposablePointcut(typeLevel).union(methodLevel);
	}

	/**
	 * Matches the public methods that a type-level annotation covers.
	 */
	private static final class PublicMethodMatcher extends StaticMethodMatcher {

		static final PublicMethodMatcher INSTANCE = new PublicMethodMatcher();

		@Override
		public boolean matches(Method method, Class<?> targetClass) {
			return Modifier.isPublic(method.getModifiers()) && !ReflectionUtils.isObjectMethod(method);
		}

	}

}
