package dev.managedconnection;

/**
 * A listener's subscription to a channel; closing it stops the notifications, and closing the
 * last one of a channel makes the managed connection stop listening on it.
 *
 * @since 0.1.0
 */
public interface Subscription extends AutoCloseable {

	/**
	 * Stop receiving notifications. Closing twice does nothing.
	 */
	@Override
	void close();

}
