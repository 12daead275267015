CREATE TABLE call_log (
	id bigserial PRIMARY KEY,
	call_id int NOT NULL,
	step int NOT NULL,
	backend_pid int NOT NULL
);

CREATE TABLE ledger (
	id bigserial PRIMARY KEY,
	amount int NOT NULL
);
