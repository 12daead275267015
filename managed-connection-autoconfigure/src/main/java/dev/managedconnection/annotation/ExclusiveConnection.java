package dev.managedconnection.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.transaction.annotation.Isolation;

/**
 * Runs the annotated method with exclusive access to the application's one
 * {@link dev.managedconnection.ManagedConnection ManagedConnection}: the calling thread
 * acquires the connection (waiting up to the acquire timeout, verifying it if it has been
 * idle), runs the method, and releases it on return. Other threads that need the
 * connection wait meanwhile, so the annotation effectively locks the connection for the
 * duration of each call.
 * <p>
 * Inside the method, code reaches the connection through
 * {@link dev.managedconnection.ManagedConnection#currentConnection()} or through
 * {@code JdbcTemplate}/{@code JdbcClient} on the auto-configured {@code DataSource}, whose
 * {@code getConnection()} returns the held connection.
 * <p>
 * On a type, the annotation applies to every public method of the bean (methods declared
 * by {@link Object} excepted). On a method, it applies to that method and overrides a
 * type-level annotation. It also works as a meta-annotation. It is applied by a Spring AOP
 * proxy, so, as with {@code @Transactional}, only calls that go through the proxy are
 * intercepted: a call from one method of a bean to another method of the same bean is not.
 * <p>
 * Rules on return:
 * <ul>
 * <li>When the method returns normally and {@link #commit()} is {@code false}, a
 * transaction left open is rolled back and an
 * {@link dev.managedconnection.OpenTransactionException OpenTransactionException} is
 * thrown. When {@link #commit()} is {@code true}, it is committed.</li>
 * <li>When the method throws, an open transaction is rolled back and the method's own
 * exception propagates unchanged.</li>
 * <li>When the connection cannot be acquired (timeout, database unreachable), a
 * {@link org.springframework.jdbc.CannotGetJdbcConnectionException
 * CannotGetJdbcConnectionException} is thrown with the {@link java.sql.SQLException} as its
 * cause, and the method does not run.</li>
 * </ul>
 * <p>
 * Calls nest: an annotated method called while the thread already holds the connection
 * joins the outer call, and only the outermost call's attributes apply: a nested call's
 * {@link #commit()}, {@link #close()}, {@link #acquireTimeout()}, {@link #readOnly()},
 * {@link #isolation()} and {@link #deferrable()} are ignored.
 * <p>
 * {@link #readOnly()}, {@link #isolation()} and {@link #deferrable()} are psycopg2's
 * {@code set_session}: they apply to the transactions of the call only, each begun with
 * {@code BEGIN ISOLATION LEVEL ..., READ ONLY, DEFERRABLE}, never to the session, so they
 * never reach the next caller and work behind PgBouncer in transaction pooling mode. They cost
 * one round trip per transaction (three per statement with autocommit on); see
 * {@link dev.managedconnection.ScopeOptions ScopeOptions}. A call that sets none pays nothing.
 * <p>
 * On a method that is also {@code @Transactional}, the connection is acquired first and
 * the transaction then begins and ends on the held connection.
 * <p>
 * The connection is bound to the calling thread, so methods returning
 * {@link java.util.concurrent.CompletionStage CompletionStage},
 * {@link java.util.concurrent.Future Future} or a Reactive Streams {@code Publisher}
 * cannot use it; such a method fails the application's startup.
 *
 * @since 0.1.0
 * @see ExclusiveConnectionBeanPostProcessor
 */
@Target({ ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface ExclusiveConnection {

	/**
	 * Whether to commit a transaction that is still open when the method returns normally.
	 * <p>
	 * {@code false} (the default): an open transaction on return is a programming error;
	 * it is rolled back and an {@code OpenTransactionException} is thrown. {@code true}:
	 * it is committed, and a commit failure is thrown as a Spring
	 * {@link org.springframework.dao.DataAccessException DataAccessException}. Either way,
	 * an exception from the method rolls the transaction back. Ignored on a nested call.
	 * @return whether to commit on a normal return
	 */
	boolean commit() default false;

	/**
	 * Whether to close the physical connection after the call, so that the next caller
	 * opens a fresh one. Defaults to {@code false}: the connection stays open for the next
	 * caller. Ignored on a nested call.
	 * @return whether to close the physical connection after the call
	 */
	boolean close() default false;

	/**
	 * How long to wait for exclusive access before giving up, as a duration string: ISO-8601
	 * ({@code "PT2S"}) or simple form ({@code "2s"}, {@code "500ms"}; a bare number is
	 * milliseconds). {@code ${...}} placeholders and SpEL expressions are resolved. Must be
	 * greater than zero.
	 * <p>
	 * Empty (the default) uses the managed connection's configured acquire timeout
	 * ({@code managed-connection.acquire-timeout}). An invalid value fails the application's
	 * startup. Ignored on a nested call, which never waits.
	 * @return the acquire timeout, or an empty string for the configured default
	 */
	String acquireTimeout() default "";

	/**
	 * Whether the call's transactions are {@code READ ONLY}: a write fails with PostgreSQL's
	 * error (SQLState 25006, a Spring {@code DataAccessException} through
	 * {@code JdbcTemplate}). {@code false} (the default) leaves the session's default, which is
	 * read-write unless configured otherwise. Ignored on a nested call.
	 * @return whether the call's transactions are read-only
	 */
	boolean readOnly() default false;

	/**
	 * The isolation level of the call's transactions. {@link Isolation#DEFAULT} (the default)
	 * leaves the session's default, {@code READ COMMITTED} unless configured otherwise. Ignored
	 * on a nested call.
	 * @return the isolation level
	 */
	Isolation isolation() default Isolation.DEFAULT;

	/**
	 * Whether the call's transactions are {@code DEFERRABLE}: a
	 * {@code SERIALIZABLE READ ONLY DEFERRABLE} transaction may wait when it begins for a
	 * snapshot that cannot fail with a serialization error; other transactions ignore it.
	 * {@code false} (the default) leaves the session's default. Ignored on a nested call.
	 * @return whether the call's transactions are deferrable
	 */
	boolean deferrable() default false;

}
