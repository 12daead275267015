/**
 * Starts an embedded PostgreSQL for the app when no database is configured.
 */
@NullMarked
package com.example.ledger.embedded;

import org.jspecify.annotations.NullMarked;
