package dev.managedconnection.benchmarks;

import java.lang.reflect.Method;
import java.util.concurrent.ThreadFactory;

import org.jspecify.annotations.Nullable;

/**
 * Platform or virtual threads. The module is compiled for Java 17, so virtual threads are
 * created through reflection and are only available when the harness runs on Java 21 or later.
 */
enum ThreadKind {

	PLATFORM("platform"),

	VIRTUAL("virtual");

	private static final @Nullable ThreadFactory virtualThreadFactory = lookUpVirtualThreadFactory();

	private final String label;

	ThreadKind(String label) {
		this.label = label;
	}

	String label() {
		return this.label;
	}

	/**
	 * Return whether threads of this kind can be created on the running JVM.
	 * @return whether this kind is available
	 */
	boolean available() {
		return this == PLATFORM || virtualThreadFactory != null;
	}

	/**
	 * Create an unstarted thread of this kind.
	 * @param name the thread name
	 * @param task what the thread runs
	 * @return the thread
	 */
	Thread newThread(String name, Runnable task) {
		if (this == PLATFORM) {
			Thread thread = new Thread(task, name);
			thread.setDaemon(true);
			return thread;
		}
		if (virtualThreadFactory == null) {
			throw new IllegalStateException("Virtual threads need Java 21 or later, this is " + Runtime.version());
		}
		Thread thread = virtualThreadFactory.newThread(task);
		thread.setName(name);
		return thread;
	}

	private static @Nullable ThreadFactory lookUpVirtualThreadFactory() {
		try {
			Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
			Method factory = Class.forName("java.lang.Thread$Builder").getMethod("factory");
			return (ThreadFactory) factory.invoke(builder);
		}
		catch (ReflectiveOperationException ex) {
			return null;
		}
	}

}
