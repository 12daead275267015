-- Accounts and the transfers between them; amounts are whole cents.

CREATE TABLE account (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	owner text NOT NULL CHECK (length(owner) BETWEEN 1 AND 100),
	balance bigint NOT NULL CHECK (balance BETWEEN 0 AND 1000000000000000),
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE transfer (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	from_account bigint NOT NULL REFERENCES account (id),
	to_account bigint NOT NULL REFERENCES account (id),
	amount bigint NOT NULL CHECK (amount > 0),
	-- A retried request carries the same key; the constraint lets each key apply one transfer.
	idempotency_key text UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 255),
	-- The PostgreSQL backend that wrote the row: with one managed connection, always the same
	-- one until the connection has to be re-established.
	backend_pid integer NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK (from_account <> to_account)
);

CREATE INDEX transfer_from_account_idx ON transfer (from_account, id);

CREATE INDEX transfer_to_account_idx ON transfer (to_account, id);
