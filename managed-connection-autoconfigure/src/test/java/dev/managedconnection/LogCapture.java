package dev.managedconnection;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

/**
 * Captures what one Logback logger logs, and lets a test wait (bounded) for an event.
 */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

	private final Logger logger;

	private final Level previousLevel;

	private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

	private final Semaphore arrivals = new Semaphore(0);

	private LogCapture(Logger logger) {
		this.logger = logger;
		this.previousLevel = logger.getLevel();
	}

	/**
	 * Start capturing, at DEBUG and above, what the logger of the given class logs.
	 * @param loggerClass the class whose logger to capture
	 * @return the capture; close it to stop
	 */
	static LogCapture of(Class<?> loggerClass) {
		return of(loggerClass.getName());
	}

	/**
	 * Start capturing, at DEBUG and above, what the named logger logs.
	 * @param loggerName the name of the logger to capture
	 * @return the capture; close it to stop
	 */
	static LogCapture of(String loggerName) {
		LogCapture capture = new LogCapture((Logger) LoggerFactory.getLogger(loggerName));
		capture.setContext(capture.logger.getLoggerContext());
		capture.start();
		capture.logger.setLevel(Level.DEBUG);
		capture.logger.addAppender(capture);
		return capture;
	}

	@Override
	protected void append(ILoggingEvent event) {
		this.events.add(event);
		this.arrivals.release();
	}

	/**
	 * Return the events captured so far.
	 * @return the events, oldest first
	 */
	List<ILoggingEvent> events() {
		return List.copyOf(this.events);
	}

	/**
	 * Wait up to 30 seconds for an event that matches.
	 * @param condition what to wait for
	 * @return the first matching event
	 * @throws AssertionError if none arrived in time
	 */
	ILoggingEvent await(Predicate<ILoggingEvent> condition) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (true) {
			for (ILoggingEvent event : this.events) {
				if (condition.test(event)) {
					return event;
				}
			}
			long left = deadline - System.nanoTime();
			if (left <= 0 || !this.arrivals.tryAcquire(left, TimeUnit.NANOSECONDS)) {
				throw new AssertionError("No matching log event within 30 s; captured: "
						+ this.events.stream().map(ILoggingEvent::getFormattedMessage).toList());
			}
		}
	}

	/**
	 * Set the level of the captured logger, until the capture is closed.
	 * @param level the level
	 */
	void level(Level level) {
		this.logger.setLevel(level);
	}

	@Override
	public void close() {
		this.logger.detachAppender(this);
		this.logger.setLevel(this.previousLevel);
		stop();
	}

}
