package dev.managedconnection.annotation;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;

import dev.managedconnection.Notification;
import dev.managedconnection.NotificationListener;

import org.springframework.util.ReflectionUtils;

/**
 * A {@link PostgresNotificationListener @PostgresNotificationListener} method of a bean as a
 * {@link NotificationListener}: it passes the payload or the whole notification, as the
 * method's parameter asks.
 */
final class NotificationListenerMethod implements NotificationListener {

	private final Object bean;

	private final Method method;

	private final boolean takesNotification;

	private NotificationListenerMethod(Object bean, Method method, boolean takesNotification) {
		this.bean = bean;
		this.method = method;
		this.takesNotification = takesNotification;
	}

	/**
	 * Adapt a method, failing for one whose parameters cannot take a notification.
	 * @param bean the bean, which may be a proxy
	 * @param method the method, invocable on the bean
	 * @return the listener
	 * @throws IllegalStateException naming the method when its parameters do not fit
	 */
	static NotificationListenerMethod of(Object bean, Method method) {
		Class<?>[] parameters = method.getParameterTypes();
		if (parameters.length != 1 || (parameters[0] != String.class && parameters[0] != Notification.class)) {
			throw new IllegalStateException("@PostgresNotificationListener method " + method.toGenericString()
					+ " must take exactly one parameter: the payload as a String, or the Notification");
		}
		ReflectionUtils.makeAccessible(method);
		return new NotificationListenerMethod(bean, method, parameters[0] == Notification.class);
	}

	@Override
	public void onNotification(Notification notification) {
		Object argument = this.takesNotification ? notification : notification.payload();
		try {
			this.method.invoke(this.bean, argument);
		}
		catch (InvocationTargetException ex) {
			// The method's own failure, for the dispatcher to log as the listener's.
			Throwable failure = ex.getTargetException();
			if (failure instanceof RuntimeException runtimeException) {
				throw runtimeException;
			}
			if (failure instanceof Error error) {
				throw error;
			}
			throw new UndeclaredThrowableException(failure, this.method.toGenericString() + " threw");
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException("Cannot call " + this.method.toGenericString(), ex);
		}
	}

	@Override
	public String toString() {
		return this.method.getDeclaringClass().getName() + "." + this.method.getName();
	}

}
