-- Residents' opt-outs. No identifier is ever stored in clear: `tag` is a keyed 16-byte hash to
-- match on, `sealed` the identifier encrypted under a separate key so keys can be rotated. Both
-- keys come from a secret kept outside the database.
CREATE TABLE optout_residents (
    id                INTEGER PRIMARY KEY,
    kind              TEXT NOT NULL,        -- identifier kind, such as nhs-number
    tag               BLOB NOT NULL,
    sealed            BLOB NOT NULL,
    key_version       INTEGER NOT NULL,
    receipt           TEXT UNIQUE,          -- shown to the resident; NULL for bulk-loaded lists
    manage_token_hash TEXT UNIQUE,          -- BLAKE3 of the private link's token, never the token
    created_at        TEXT NOT NULL
);
CREATE INDEX optout_residents_by_tag ON optout_residents (kind, tag);
CREATE INDEX optout_residents_by_key_version ON optout_residents (key_version);

-- Each resident's choices, append-only; the latest event for a scope decides.
CREATE TABLE optout_events (
    seq          INTEGER PRIMARY KEY,
    resident_id  INTEGER NOT NULL REFERENCES optout_residents (id),
    scope        TEXT NOT NULL,
    withdrawn    INTEGER NOT NULL CHECK (withdrawn IN (0, 1)),
    channel      TEXT NOT NULL,
    proxy_basis  TEXT,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX optout_events_by_resident ON optout_events (resident_id, seq);
CREATE TRIGGER optout_events_no_update BEFORE UPDATE ON optout_events
BEGIN SELECT RAISE(ABORT, 'opt-out events cannot be changed'); END;
CREATE TRIGGER optout_events_no_delete BEFORE DELETE ON optout_events
BEGIN SELECT RAISE(ABORT, 'opt-out events cannot be deleted'); END;

-- Dataset checks by organisations, for the public figures: counts only.
CREATE TABLE optout_checks (
    id           INTEGER PRIMARY KEY,
    organisation TEXT NOT NULL,
    checked_at   TEXT NOT NULL,
    method       TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    rows_in      INTEGER NOT NULL,
    rows_kept    INTEGER NOT NULL,
    rows_removed INTEGER NOT NULL,
    rows_invalid INTEGER NOT NULL
);
