-- Drafts: entries being written or changed, on their way through review. A draft holds the whole
-- entry as written so far (it may be incomplete); publishing copies it into the hash chain.
CREATE TABLE drafts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      INTEGER NOT NULL,       -- the entry it makes or changes; taken at creation
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    base_version    INTEGER,                -- the published version it started from
    state           TEXT NOT NULL,          -- editing, submitted, returned, published
    content         JSONB NOT NULL,
    lock            BIGINT NOT NULL,        -- moves on with every change (optimistic locking)
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL
);
-- One open draft per entry, so two people never write two competing versions.
CREATE UNIQUE INDEX drafts_one_open ON drafts (project_id) WHERE state <> 'published';
CREATE INDEX drafts_by_organisation ON drafts (organisation_id, state);

-- What happened to each draft, with reviewers' comments. Append-only.
CREATE TABLE draft_events (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    draft_id BIGINT NOT NULL REFERENCES drafts (id),
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    kind     TEXT NOT NULL,
    comment  TEXT
);
CREATE INDEX draft_events_by_draft ON draft_events (draft_id, id);
CREATE FUNCTION draft_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a draft''s log cannot be changed';
END $$;
CREATE TRIGGER draft_events_append_only BEFORE UPDATE OR DELETE ON draft_events
    FOR EACH ROW EXECUTE FUNCTION draft_events_append_only();

-- Organisations the charter body lets approve their own entries (by a second person).
CREATE TABLE organisation_settings (
    organisation_id INTEGER PRIMARY KEY REFERENCES organisations (id),
    self_publish    BOOLEAN NOT NULL DEFAULT FALSE
);
