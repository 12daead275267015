package com.example.ledger.web;

import org.jspecify.annotations.Nullable;

/**
 * The JSON body of {@code POST /accounts}; fields are nullable so that a missing one is reported
 * by name rather than read as zero.
 *
 * @param owner who owns the account
 * @param balance the opening balance in cents
 */
record AccountRequest(@Nullable String owner, @Nullable Long balance) {

}
