package com.example.ledger.bank;

/**
 * An account as {@link AccountService} stores it; amounts are whole cents.
 *
 * @param id the account id
 * @param owner who owns the account
 * @param balance the balance in cents, never negative
 */
public record Account(long id, String owner, long balance) {

	/**
	 * The most an account may hold, in cents (ten trillion units of currency), which is also
	 * the largest opening balance and the largest single transfer. Keeping every balance at
	 * or below it means no arithmetic on balances can overflow.
	 */
	public static final long MAX_BALANCE = 1_000_000_000_000_000L;

	/**
	 * The longest owner name accepted, in characters.
	 */
	public static final int MAX_OWNER_LENGTH = 100;

}
