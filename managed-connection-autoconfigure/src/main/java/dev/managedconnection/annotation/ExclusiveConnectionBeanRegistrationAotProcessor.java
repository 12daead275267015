package dev.managedconnection.annotation;

import java.lang.reflect.Method;
import java.util.LinkedHashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aot.generate.GenerationContext;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.aot.BeanRegistrationCode;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Registers the run-time hints a bean with {@link ExclusiveConnection @ExclusiveConnection}
 * needs in a native image when the annotation is declared where the proxy's class does not
 * show it: on an interface or a superclass method, found by reflection at run time, and
 * behind a JDK proxy of the bean's interfaces when {@code spring.aop.proxy-target-class} is
 * {@code false}. (Class-based proxies are generated during AOT processing.)
 */
class ExclusiveConnectionBeanRegistrationAotProcessor implements BeanRegistrationAotProcessor {

	@Override
	public @Nullable BeanRegistrationAotContribution processAheadOfTime(RegisteredBean registeredBean) {
		Class<?> beanClass = registeredBean.getBeanClass();
		Set<Class<?>> declaring = declaringTypes(beanClass);
		return declaring.isEmpty() ? null : new Contribution(beanClass, declaring);
	}

	/**
	 * The bean's class, superclasses and interfaces that declare the annotation on themselves
	 * or on a method.
	 */
	private static Set<Class<?>> declaringTypes(Class<?> beanClass) {
		Set<Class<?>> candidates = new LinkedHashSet<>();
		for (Class<?> type = beanClass; type != null && type != Object.class; type = type.getSuperclass()) {
			candidates.add(type);
		}
		candidates.addAll(ClassUtils.getAllInterfacesForClassAsSet(beanClass));
		Set<Class<?>> declaring = new LinkedHashSet<>();
		for (Class<?> candidate : candidates) {
			if (declaresAnnotation(candidate)) {
				declaring.add(candidate);
			}
		}
		return declaring;
	}

	private static boolean declaresAnnotation(Class<?> type) {
		if (AnnotatedElementUtils.hasAnnotation(type, ExclusiveConnection.class)) {
			return true;
		}
		for (Method method : ReflectionUtils.getDeclaredMethods(type)) {
			if (AnnotatedElementUtils.hasAnnotation(method, ExclusiveConnection.class)) {
				return true;
			}
		}
		return false;
	}

	private record Contribution(Class<?> beanClass, Set<Class<?>> declaring) implements BeanRegistrationAotContribution {

		@Override
		public void applyTo(GenerationContext generationContext, BeanRegistrationCode beanRegistrationCode) {
			RuntimeHints hints = generationContext.getRuntimeHints();
			for (Class<?> type : this.declaring) {
				// The attribute source reads the annotation from the declaring type's methods.
				hints.reflection().registerType(type, MemberCategory.INVOKE_DECLARED_METHODS);
			}
			Class<?>[] interfaces = ClassUtils.getAllInterfacesForClass(this.beanClass);
			if (interfaces.length > 0) {
				for (Class<?> proxied : interfaces) {
					hints.reflection().registerType(proxied, MemberCategory.INVOKE_DECLARED_METHODS);
				}
				hints.proxies().registerJdkProxy(AopProxyUtils.completeJdkProxyInterfaces(interfaces));
			}
		}

	}

}
