-- Organisations' API tokens. Only a hash of each token is kept; the token is shown once when made.
CREATE TABLE api_tokens (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    token_hash      TEXT NOT NULL UNIQUE,   -- BLAKE3 of the token
    label           TEXT NOT NULL,          -- what it is for, in the organisation's words
    scopes          TEXT NOT NULL,          -- space-separated, such as "optout-check"
    created_at      TEXT NOT NULL,
    revoked_at      TEXT                    -- set once; a revoked token never works again
);
