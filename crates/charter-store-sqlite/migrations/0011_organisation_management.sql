-- Site administrators' API tokens (scope `organisations`: adding and changing signatories) belong to
-- no organisation, so a token's organisation becomes optional. SQLite cannot drop NOT NULL from a
-- column: the table is rebuilt with the same rows.
CREATE TABLE api_tokens_new (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER REFERENCES organisations (id),  -- none for a site administrator's token
    token_hash      TEXT NOT NULL UNIQUE,   -- BLAKE3 of the token
    label           TEXT NOT NULL,
    scopes          TEXT NOT NULL,          -- space-separated, such as "optout-check"
    created_at      TEXT NOT NULL,
    revoked_at      TEXT,                   -- set once; a revoked token never works again
    owner_id        INTEGER REFERENCES users (id)
);
INSERT INTO api_tokens_new (id, organisation_id, token_hash, label, scopes, created_at, revoked_at, owner_id)
    SELECT id, organisation_id, token_hash, label, scopes, created_at, revoked_at, owner_id FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_new RENAME TO api_tokens;
