/**
 * Tests for the Micrometer metrics.
 */
@NullMarked
package dev.managedconnection.metrics;

import org.jspecify.annotations.NullMarked;
