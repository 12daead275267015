/**
 * How every module's database tests find a real PostgreSQL server, and the servers, TCP proxy and
 * PgBouncer that fault tests own.
 */
@NullMarked
package dev.managedconnection.testsupport;

import org.jspecify.annotations.NullMarked;
