/**
 * End-to-end tests of the ledger over real HTTP against a real PostgreSQL, and their support.
 */
@NullMarked
package com.example.ledger;

import org.jspecify.annotations.NullMarked;
