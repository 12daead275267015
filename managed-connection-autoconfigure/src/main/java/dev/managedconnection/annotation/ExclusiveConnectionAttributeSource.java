package dev.managedconnection.annotation;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.managedconnection.ScopeOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.format.datetime.standard.DurationFormatterUtils;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;
import org.springframework.util.StringValueResolver;

/**
 * Reads {@link ExclusiveConnection @ExclusiveConnection} once per method and target class
 * and caches the resulting {@link ScopeOptions}, so that the interceptor's hot path is a
 * map lookup.
 */
final class ExclusiveConnectionAttributeSource {

	/** Cached for methods without the annotation (the map cannot hold {@code null}). */
	private static final ScopeOptions NOT_ANNOTATED = new ScopeOptions(null, false, false);

	private final Map<MethodClassKey, ScopeOptions> cache = new ConcurrentHashMap<>();

	/**
	 * The options of each method for the first target class it was called on: almost always
	 * the only one, and looked up without allocating the {@link MethodClassKey} the general
	 * cache needs.
	 */
	private final Map<Method, TargetOptions> cacheByMethod = new ConcurrentHashMap<>();

	private volatile @Nullable StringValueResolver valueResolver;

	/**
	 * Set the resolver for {@code ${...}} placeholders and SpEL expressions in
	 * {@link ExclusiveConnection#acquireTimeout()}.
	 * @param valueResolver the resolver
	 */
	void setValueResolver(StringValueResolver valueResolver) {
		this.valueResolver = valueResolver;
	}

	/**
	 * Return the scope options for a call of the given method on an instance of the given
	 * class, or {@code null} when {@code @ExclusiveConnection} does not apply to it.
	 * @param method the invoked method (possibly declared on an interface)
	 * @param targetClass the class of the target instance, or {@code null} if unknown
	 * @return the scope options, or {@code null}
	 * @throws IllegalStateException if the annotation's acquire timeout is invalid
	 */
	@Nullable ScopeOptions getScopeOptions(Method method, @Nullable Class<?> targetClass) {
		TargetOptions cached = this.cacheByMethod.get(method);
		ScopeOptions options;
		if (cached != null && cached.targetClass() == targetClass) {
			options = cached.options();
		}
		else {
			MethodClassKey key = new MethodClassKey(method, targetClass);
			options = this.cache.get(key);
			if (options == null) {
				options = computeScopeOptions(method, targetClass);
				this.cache.put(key, options);
			}
			if (cached == null) {
				this.cacheByMethod.putIfAbsent(method, new TargetOptions(targetClass, options));
			}
		}
		return (options != NOT_ANNOTATED) ? options : null;
	}

	private ScopeOptions computeScopeOptions(Method method, @Nullable Class<?> targetClass) {
		ExclusiveConnection annotation = findAnnotation(method, targetClass);
		if (annotation == null) {
			return NOT_ANNOTATED;
		}
		Duration acquireTimeout = parseAcquireTimeout(annotation.acquireTimeout(), method);
		// Spring's Isolation values are the JDBC constants; DEFAULT and false leave the session's.
		Integer isolation = (annotation.isolation() != Isolation.DEFAULT) ? annotation.isolation().value() : null;
		return new ScopeOptions(acquireTimeout, annotation.commit(), annotation.close(),
				annotation.readOnly() ? Boolean.TRUE : null, isolation, annotation.deferrable() ? Boolean.TRUE : null);
	}

	private static @Nullable ExclusiveConnection findAnnotation(Method method, @Nullable Class<?> targetClass) {
		Method specificMethod = AopUtils.getMostSpecificMethod(method, targetClass);
		ExclusiveConnection annotation = findMergedAnnotation(specificMethod);
		if (annotation == null && specificMethod != method) {
			annotation = findMergedAnnotation(method);
		}
		if (annotation != null) {
			return annotation;
		}
		// A type-level annotation covers the public methods only, as the pointcut does.
		if (!Modifier.isPublic(specificMethod.getModifiers()) || ReflectionUtils.isObjectMethod(specificMethod)) {
			return null;
		}
		if (targetClass != null) {
			annotation = AnnotatedElementUtils.findMergedAnnotation(targetClass, ExclusiveConnection.class);
		}
		if (annotation == null) {
			annotation = AnnotatedElementUtils.findMergedAnnotation(method.getDeclaringClass(),
					ExclusiveConnection.class);
		}
		return annotation;
	}

	private static @Nullable ExclusiveConnection findMergedAnnotation(Method method) {
		return AnnotatedElementUtils.findMergedAnnotation(method, ExclusiveConnection.class);
	}

	private @Nullable Duration parseAcquireTimeout(String value, Method method) {
		String resolved = value;
		StringValueResolver valueResolver = this.valueResolver;
		if (StringUtils.hasText(resolved) && valueResolver != null) {
			resolved = valueResolver.resolveStringValue(resolved);
		}
		if (!StringUtils.hasText(resolved)) {
			return null;
		}
		Duration timeout;
		try {
			timeout = DurationFormatterUtils.detectAndParse(resolved.strip());
		}
		catch (IllegalArgumentException | DateTimeParseException ex) {
			throw new IllegalStateException(invalidTimeoutMessage(value, resolved, method)
					+ "it is not a duration; use a value such as '2s', '500ms' or 'PT2S'", ex);
		}
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalStateException(invalidTimeoutMessage(value, resolved, method)
					+ "it must be greater than zero; leave it empty to use 'managed-connection.acquire-timeout'");
		}
		return timeout;
	}

	private static String invalidTimeoutMessage(String value, String resolved, Method method) {
		String shown = value.equals(resolved) ? "'" + value + "'" : "'" + value + "' (resolved to '" + resolved + "')";
		return "Invalid acquireTimeout " + shown + " in @ExclusiveConnection on '" + describe(method) + "': ";
	}

	private record TargetOptions(@Nullable Class<?> targetClass, ScopeOptions options) {
	}

	/**
	 * Describe a method for messages, as {@code com.example.Service.method}.
	 * @param method the method
	 * @return its description
	 */
	static String describe(Method method) {
		return ClassUtils.getQualifiedMethodName(method);
	}

}
