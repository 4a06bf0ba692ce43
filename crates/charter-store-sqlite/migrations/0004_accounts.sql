-- Accounts for the people who run the register and for signatory organisations. Residents never
-- have one. Passwords are Argon2id PHC strings; sessions, links and tokens are kept only as hashes.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,   -- lower case
    name            TEXT,
    role            TEXT NOT NULL,
    organisation_id INTEGER REFERENCES organisations (id),
    password_hash   TEXT,                   -- NULL until the person sets one
    created_at      TEXT NOT NULL
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,            -- BLAKE3 of the cookie's value
    user_id    INTEGER NOT NULL REFERENCES users (id),
    form_token TEXT NOT NULL,               -- sent back with every form, against forgery
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- One-time links: setting a first password, or resetting one.
CREATE TABLE account_links (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    purpose    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);

-- Failed sign-ins, for the rate limit (shared by every instance).
CREATE TABLE sign_in_failures (
    key_hash TEXT NOT NULL,                 -- BLAKE3 of the email address tried
    at       TEXT NOT NULL
);
CREATE INDEX sign_in_failures_by_key ON sign_in_failures (key_hash, at);

-- Every privileged action: who, what, when, from where. Append-only; never residents' data.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,             -- the person's email, or "command line"
    action       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    from_address TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;
