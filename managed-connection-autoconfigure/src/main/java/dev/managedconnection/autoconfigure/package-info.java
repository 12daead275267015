/**
 * Spring Boot auto-configuration for the managed connection, its {@code DataSource} view
 * and {@code @ExclusiveConnection} support.
 */
@NullMarked
package dev.managedconnection.autoconfigure;

import org.jspecify.annotations.NullMarked;
