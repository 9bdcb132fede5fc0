-- The audit trail: append-only and hash-chained. Each entry's hash covers its fields and
-- the previous entry's hash, so changing or deleting a row breaks the chain.
-- The application has no statement that updates or deletes these rows.

CREATE TABLE audit_log (
    seq         {int} PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    role        TEXT NOT NULL,
    area_code   TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    summary     TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor);

-- One row: the chain's head. Appending updates it first, which serialises appenders on
-- both databases (a row lock on PostgreSQL, the write lock on SQLite).
CREATE TABLE audit_head (
    id        {int} PRIMARY KEY CHECK (id = 1),
    seq       {int} NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
