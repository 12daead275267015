package dev.managedconnection.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.Order;
import org.springframework.core.convert.ConversionException;

/**
 * {@link AbstractFailureAnalyzer} that reports a {@code managed-connection.*} property whose
 * value cannot be converted, such as an unparsable duration, with the accepted formats.
 * Ordered before Boot's general bind failure analyzer, which handles every other property.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class ManagedConnectionBindFailureAnalyzer extends AbstractFailureAnalyzer<BindException> {

	private static final ConfigurationPropertyName PREFIX = ConfigurationPropertyName.of("managed-connection");

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
		if (!PREFIX.isAncestorOf(cause.getName()) || findCause(cause, ConversionException.class) == null) {
			return null;
		}
		String name = cause.getName().toString();
		ResolvableType type = cause.getTarget().getType();
		ConfigurationProperty property = cause.getProperty();
		StringBuilder description = new StringBuilder("Failed to bind '").append(name).append("'");
		if (property != null) {
			description.append(": the value '").append(property.getValue()).append("'");
			Origin origin = property.getOrigin();
			if (origin != null) {
				description.append(" from ").append(origin);
			}
			description.append(" is not a valid ").append(typeName(type)).append(".");
		}
		else {
			description.append(" to ").append(typeName(type)).append(".");
		}
		return new FailureAnalysis(description.toString(), action(name, type), cause);
	}

	private static String action(String name, ResolvableType type) {
		Class<?> resolved = type.resolve(Object.class);
		if (Duration.class.equals(resolved)) {
			return "Set '" + name + "' to a duration such as '30s', '500ms' or 'PT30S' (a bare number is "
					+ "milliseconds), or remove it to use the default.";
		}
		if (Boolean.class.equals(resolved) || boolean.class.equals(resolved)) {
			return "Set '" + name + "' to true or false, or remove it to use the default.";
		}
		return "Set '" + name + "' to a valid " + typeName(type) + ", or remove it to use the default.";
	}

	private static String typeName(ResolvableType type) {
		Class<?> resolved = type.resolve(Object.class);
		if (Duration.class.equals(resolved)) {
			return "duration";
		}
		if (Boolean.class.equals(resolved) || boolean.class.equals(resolved)) {
			return "boolean";
		}
		return resolved.getSimpleName();
	}

}
