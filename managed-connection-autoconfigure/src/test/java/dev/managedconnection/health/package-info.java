/**
 * Tests for the health indicator.
 */
@NullMarked
package dev.managedconnection.health;

import org.jspecify.annotations.NullMarked;
