package com.example.ledger.web;

import java.math.BigInteger;

/**
 * The JSON body of {@code GET /ledger/total}.
 *
 * @param total the sum of all balances in cents
 */
record LedgerTotal(BigInteger total) {

}
