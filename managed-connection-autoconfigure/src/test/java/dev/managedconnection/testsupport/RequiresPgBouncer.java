package dev.managedconnection.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs the {@code pgbouncer} binary ({@link TestPgBouncer}). Where it is
 * not on the {@code PATH} the class is skipped with one line saying what to install, as the
 * Testcontainers tests are skipped without Docker; with the environment variable
 * {@value PgBouncerCondition#REQUIRED_VARIABLE}{@code =true} (CI sets it) a missing binary fails
 * the class instead, so CI can never skip these tests silently.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(PgBouncerCondition.class)
public @interface RequiresPgBouncer {

}
