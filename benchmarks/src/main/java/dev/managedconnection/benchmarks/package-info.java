/**
 * Benchmarks of the managed connection against what users would pick instead.
 */
@NullMarked
package dev.managedconnection.benchmarks;

import org.jspecify.annotations.NullMarked;
