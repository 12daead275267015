/**
 * The core: exclusive, verified, self-healing access for many threads to one shared PostgreSQL
 * connection, in plain JDBC.
 */
@NullMarked
package dev.managedconnection;

import org.jspecify.annotations.NullMarked;
