/**
 * Ahead-of-time processing and native image support.
 */
@NullMarked
package dev.managedconnection.aot;

import org.jspecify.annotations.NullMarked;
