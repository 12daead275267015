/**
 * Accounts and transfers: the services that hold the managed connection, and what they return and throw.
 */
@NullMarked
package com.example.ledger.bank;

import org.jspecify.annotations.NullMarked;
