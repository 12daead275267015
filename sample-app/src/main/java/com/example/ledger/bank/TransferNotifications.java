package com.example.ledger.bank;

/**
 * The PostgreSQL channel on which every applied transfer is announced, and its payload: a
 * small JSON object with the transfer's id, accounts and amount in cents, such as
 * {@code {"id":7,"from":1,"to":2,"amount":250}}.
 * <p>
 * {@link TransferService} sends it with {@code pg_notify} inside the transfer's transaction,
 * so PostgreSQL delivers it when, and only if, the transfer commits.
 */
public final class TransferNotifications {

	/**
	 * The channel, as named in {@code LISTEN} and {@code NOTIFY}.
	 */
	public static final String CHANNEL = "ledger_transfers";

	private TransferNotifications() {
	}

	/**
	 * Return the payload announcing a transfer.
	 * @param transfer the transfer
	 * @return the JSON payload
	 */
	static String payload(Transfer transfer) {
		// Only numbers: nothing to escape, and far below NOTIFY's 8000-byte payload limit.
		return "{\"id\":" + transfer.id() + ",\"from\":" + transfer.from() + ",\"to\":" + transfer.to()
				+ ",\"amount\":" + transfer.amount() + "}";
	}

}
