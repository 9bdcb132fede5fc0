-- Organisations (applicants) and accounts, sessions in the database (so any server
-- instance can serve any request), and fixed-window rate-limit counters.

CREATE TABLE organisations (
    id             {id},
    credit_code    TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    category_code  TEXT NOT NULL REFERENCES categories(code),
    area_code      TEXT NOT NULL REFERENCES areas(code),
    contact_name   TEXT NOT NULL,
    contact_mobile TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX organisations_area ON organisations(area_code);

CREATE TABLE accounts (
    id                   {id},
    login                TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    role                 TEXT NOT NULL,
    area_code            TEXT NOT NULL REFERENCES areas(code),
    organisation_id      {int} REFERENCES organisations(id),
    member_unit_code     TEXT REFERENCES member_units(code),
    mobile               TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    must_change_password {int} NOT NULL DEFAULT 0,
    totp_secret          TEXT,
    totp_enrolled        {int} NOT NULL DEFAULT 0,
    totp_last_step       {int},
    failed_logins        {int} NOT NULL DEFAULT 0,
    first_failed_at      TEXT,
    locked_until         TEXT,
    disabled             {int} NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL,
    password_changed_at  TEXT NOT NULL
);
CREATE INDEX accounts_role_area ON accounts(role, area_code);

-- The cookie holds a random token; only its SHA-256 is stored.
-- stage: 'full', or a step still owed before the session may act:
-- 'change_password', 'enrol_totp', 'verify_totp'.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    account_id   {int} NOT NULL REFERENCES accounts(id),
    stage        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    client_addr  TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE rate_limits (
    bucket       TEXT NOT NULL,
    window_start {int} NOT NULL,
    hits         {int} NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
