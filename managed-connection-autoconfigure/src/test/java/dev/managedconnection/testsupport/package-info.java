/**
 * How every module's database tests find a real PostgreSQL server.
 */
@NullMarked
package dev.managedconnection.testsupport;

import org.jspecify.annotations.NullMarked;
