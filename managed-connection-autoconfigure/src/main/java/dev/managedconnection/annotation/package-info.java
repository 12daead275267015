/**
 * The {@link dev.managedconnection.annotation.ExclusiveConnection @ExclusiveConnection}
 * annotation and the Spring AOP infrastructure that applies it.
 */
@NullMarked
package dev.managedconnection.annotation;

import org.jspecify.annotations.NullMarked;
