/**
 * Tests of the embedded PostgreSQL bootstrap.
 */
@NullMarked
package com.example.ledger.embedded;

import org.jspecify.annotations.NullMarked;
