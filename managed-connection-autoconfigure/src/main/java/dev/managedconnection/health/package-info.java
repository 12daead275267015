/**
 * Health indicator for a {@link dev.managedconnection.ManagedConnection}.
 */
@NullMarked
package dev.managedconnection.health;

import org.jspecify.annotations.NullMarked;
