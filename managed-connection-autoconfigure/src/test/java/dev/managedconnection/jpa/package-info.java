/**
 * A small JPA application in the manner of Spring PetClinic, and the tests that run it on the
 * managed connection.
 */
@NullMarked
package dev.managedconnection.jpa;

import org.jspecify.annotations.NullMarked;
