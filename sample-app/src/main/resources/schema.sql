-- Run at every start by Spring Boot's SQL initialization (spring.sql.init.mode=always), through
-- the managed connection's DataSource view, so every statement must be safe to repeat.

CREATE TABLE IF NOT EXISTS account (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	owner text NOT NULL CHECK (length(owner) BETWEEN 1 AND 100),
	balance bigint NOT NULL CHECK (balance BETWEEN 0 AND 1000000000000000),
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS transfer (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	from_account bigint NOT NULL REFERENCES account (id),
	to_account bigint NOT NULL REFERENCES account (id),
	amount bigint NOT NULL CHECK (amount > 0),
	-- A retried request carries the same key; the constraint lets each key apply one transfer.
	idempotency_key text UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 255),
	-- The PostgreSQL backend that wrote the row: with one managed connection, always the same one
	-- until the connection has to be re-established.
	backend_pid integer NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK (from_account <> to_account)
);

CREATE INDEX IF NOT EXISTS transfer_from_account_idx ON transfer (from_account, id);

CREATE INDEX IF NOT EXISTS transfer_to_account_idx ON transfer (to_account, id);
