package com.example.ledger.web;

import org.jspecify.annotations.Nullable;

/**
 * The JSON body of {@code POST /transfers}; fields are nullable so that a missing one is reported
 * by name rather than read as zero.
 *
 * @param from the account to debit
 * @param to the account to credit
 * @param amount the amount in cents
 */
record TransferRequest(@Nullable Long from, @Nullable Long to, @Nullable Long amount) {

}
