/**
 * Tests for the managed connection's auto-configuration.
 */
@NullMarked
package dev.managedconnection.autoconfigure;

import org.jspecify.annotations.NullMarked;
