/**
 * Tests for {@code @ExclusiveConnection} and its AOP infrastructure.
 */
@NullMarked
package dev.managedconnection.annotation;

import org.jspecify.annotations.NullMarked;
