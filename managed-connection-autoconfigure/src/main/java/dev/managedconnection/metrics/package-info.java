/**
 * Micrometer metrics for a {@link dev.managedconnection.ManagedConnection}.
 */
@NullMarked
package dev.managedconnection.metrics;

import org.jspecify.annotations.NullMarked;
