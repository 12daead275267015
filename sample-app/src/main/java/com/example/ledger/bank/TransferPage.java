package com.example.ledger.bank;

import java.util.List;

/**
 * One page of an account's transfers, newest first, as {@link AccountService#transfersOf} reads
 * them.
 *
 * @param transfers the transfers, newest first
 * @param hasOlder whether the account has transfers older than the last one on this page
 */
public record TransferPage(List<Transfer> transfers, boolean hasOlder) {

}
