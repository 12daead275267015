package dev.managedconnection.annotation;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.managedconnection.ManagedConnection;
import dev.managedconnection.Notification;
import dev.managedconnection.NotificationListener;
import dev.managedconnection.Subscription;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopInfrastructureBean;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.context.EmbeddedValueResolverAware;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.StringUtils;
import org.springframework.util.StringValueResolver;

/**
 * Finds the {@link PostgresNotificationListener @PostgresNotificationListener} methods of
 * beans and subscribes them to their channels while the application context runs: from its
 * start (or a later bean's creation) until it stops. A method whose parameters do not fit,
 * or a channel that resolves to nothing, fails the bean's creation with a message naming
 * the method.
 * <p>
 * Besides the methods, each channel gets one listener that publishes a
 * {@link NotificationChannelResubscribedEvent} when the managed connection listens on it
 * again after a reconnect, once per channel however many methods it has.
 *
 * @since 0.1.0
 */
public class PostgresNotificationListenerBeanPostProcessor implements BeanPostProcessor, SmartLifecycle,
		EmbeddedValueResolverAware, ApplicationEventPublisherAware, AopInfrastructureBean {

	private final Supplier<ManagedConnection> managedConnection;

	private final Set<Class<?>> classesWithoutListeners = ConcurrentHashMap.newKeySet();

	private final Object lock = new Object();

	/** The listeners by channel, in the order the beans were created. */
	private final Map<String, List<NotificationListener>> listeners = new LinkedHashMap<>();

	private final List<Subscription> subscriptions = new ArrayList<>();

	private boolean running;

	private @Nullable StringValueResolver embeddedValueResolver;

	private @Nullable ApplicationEventPublisher eventPublisher;

	/**
	 * Create a post-processor that subscribes through the given managed connection.
	 * @param managedConnection supplies the managed connection; called when the context
	 * starts, so a lazy lookup such as {@code ObjectProvider::getObject} keeps the
	 * connection out of the post-processor's own initialization
	 */
	public PostgresNotificationListenerBeanPostProcessor(Supplier<ManagedConnection> managedConnection) {
		this.managedConnection = managedConnection;
	}

	@Override
	public void setEmbeddedValueResolver(StringValueResolver resolver) {
		this.embeddedValueResolver = resolver;
	}

	@Override
	public void setApplicationEventPublisher(ApplicationEventPublisher applicationEventPublisher) {
		this.eventPublisher = applicationEventPublisher;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		if (this.classesWithoutListeners.contains(targetClass)
				|| !AnnotationUtils.isCandidateClass(targetClass, PostgresNotificationListener.class)) {
			return bean;
		}
		Map<Method, PostgresNotificationListener> methods = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<PostgresNotificationListener>) (method) -> AnnotatedElementUtils
					.findMergedAnnotation(method, PostgresNotificationListener.class));
		if (methods.isEmpty()) {
			this.classesWithoutListeners.add(targetClass);
			return bean;
		}
		methods.forEach((method, annotation) -> {
			Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
			NotificationListenerMethod listener = NotificationListenerMethod.of(bean, invocable);
			for (String channel : channels(annotation, method)) {
				add(channel, listener);
			}
		});
		return bean;
	}

	private Set<String> channels(PostgresNotificationListener annotation, Method method) {
		if (annotation.value().length == 0) {
			throw new IllegalStateException(
					"@PostgresNotificationListener on " + method.toGenericString() + " names no channel");
		}
		Set<String> channels = new LinkedHashSet<>();
		for (String value : annotation.value()) {
			String channel = (this.embeddedValueResolver != null) ? this.embeddedValueResolver.resolveStringValue(value)
					: value;
			if (!StringUtils.hasText(channel)) {
				throw new IllegalStateException("@PostgresNotificationListener on " + method.toGenericString()
						+ " has channel '" + value + "', which resolves to an empty name");
			}
			channels.add(channel);
		}
		return channels;
	}

	private void add(String channel, NotificationListener listener) {
		synchronized (this.lock) {
			boolean newChannel = !this.listeners.containsKey(channel);
			this.listeners.computeIfAbsent(channel, (key) -> new ArrayList<>()).add(listener);
			if (this.running) {
				// A bean created after the context started: subscribe it at once.
				if (newChannel) {
					subscribe(channel, resubscriptionAnnouncer());
				}
				subscribe(channel, listener);
			}
		}
	}

	@Override
	public void start() {
		synchronized (this.lock) {
			if (this.running) {
				return;
			}
			this.running = true;
			this.listeners.forEach((channel, channelListeners) -> {
				subscribe(channel, resubscriptionAnnouncer());
				channelListeners.forEach((listener) -> subscribe(channel, listener));
			});
		}
	}

	private void subscribe(String channel, NotificationListener listener) {
		this.subscriptions.add(this.managedConnection.get().listen(channel, listener));
	}

	private NotificationListener resubscriptionAnnouncer() {
		return new ResubscriptionAnnouncer(this.managedConnection.get(), this.eventPublisher);
	}

	@Override
	public void stop() {
		synchronized (this.lock) {
			this.subscriptions.forEach(Subscription::close);
			this.subscriptions.clear();
			this.running = false;
		}
	}

	@Override
	public boolean isRunning() {
		synchronized (this.lock) {
			return this.running;
		}
	}

	/**
	 * Publishes the event for a channel listened on again; ignores the notifications, which
	 * the methods get.
	 */
	private record ResubscriptionAnnouncer(ManagedConnection source,
			@Nullable ApplicationEventPublisher publisher) implements NotificationListener {

		@Override
		public void onNotification(Notification notification) {
		}

		@Override
		public void onResubscribed(String channel) {
			if (this.publisher != null) {
				this.publisher.publishEvent(new NotificationChannelResubscribedEvent(this.source, channel));
			}
		}

	}

}
