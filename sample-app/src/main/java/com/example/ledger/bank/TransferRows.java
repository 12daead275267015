package com.example.ledger.bank;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;

/**
 * Reads {@link Transfer transfers} from rows selected with {@link #COLUMNS}, for both services.
 */
final class TransferRows {

	/**
	 * The select list that {@link #map(ResultSet, int)} reads.
	 */
	static final String COLUMNS = "id, from_account, to_account, amount, created_at";

	private TransferRows() {
	}

	static Transfer map(ResultSet row, int rowNumber) throws SQLException {
		return new Transfer(row.getLong("id"), row.getLong("from_account"), row.getLong("to_account"),
				row.getLong("amount"), row.getObject("created_at", OffsetDateTime.class).toInstant());
	}

}
