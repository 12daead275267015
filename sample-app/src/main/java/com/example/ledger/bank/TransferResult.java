package com.example.ledger.bank;

/**
 * What {@link TransferService#transfer} answers: the transfer, and whether it was applied by an
 * earlier request with the same idempotency key rather than by this one.
 *
 * @param transfer the transfer, as first applied
 * @param replayed whether an earlier request with the same idempotency key applied it
 */
public record TransferResult(Transfer transfer, boolean replayed) {

}
