-- Accounts for the people who run the register and for signatory organisations. Residents never
-- have one. Passwords are Argon2id PHC strings; sessions, links and tokens are kept only as hashes.
CREATE TABLE users (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,   -- lower case
    name            TEXT,
    role            TEXT NOT NULL,
    organisation_id INTEGER REFERENCES organisations (id),
    password_hash   TEXT,                   -- NULL until the person sets one
    created_at      TEXT NOT NULL
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,            -- BLAKE3 of the cookie's value
    user_id    BIGINT NOT NULL REFERENCES users (id),
    form_token TEXT NOT NULL,               -- sent back with every form, against forgery
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- One-time links: setting a first password, or resetting one.
CREATE TABLE account_links (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
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
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,             -- the person's email, or "command line"
    action       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    from_address TEXT NOT NULL
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log cannot be changed';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
