-- The public register. Each record is kept whole as JSON in `doc` (the types in charter-core are
-- the schema); the columns beside it are copies that queries filter, sort and count on.

CREATE TABLE organisations (
    id   INTEGER PRIMARY KEY,               -- the number in ORG-0007; never reused
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    doc  JSONB NOT NULL
);

CREATE TABLE projects (
    id              INTEGER PRIMARY KEY,    -- the number in LCR-0042; never reused
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    slug            TEXT NOT NULL,
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL,
    status          TEXT NOT NULL,
    uses_ai         BOOLEAN NOT NULL,
    ai_kind         TEXT,
    decision_role   TEXT NOT NULL,
    -- Bit i is set when the project covers Area::ALL[i] / Topic::ALL[i].
    areas_mask      BIGINT NOT NULL,
    topics_mask     BIGINT NOT NULL,
    last_updated    TEXT NOT NULL,          -- YYYY-MM-DD, so text order is date order
    -- Descriptions and the organisation's name, for search.
    search_body     TEXT NOT NULL,
    -- English stemming ("repairs" finds "repair"); the title weighs most, then the summary.
    search          TSVECTOR GENERATED ALWAYS AS (
                        setweight(to_tsvector('english', title), 'A') ||
                        setweight(to_tsvector('english', summary), 'B') ||
                        setweight(to_tsvector('english', search_body), 'C')) STORED,
    doc             JSONB NOT NULL
);

CREATE INDEX projects_by_organisation ON projects (organisation_id);
CREATE INDEX projects_by_updated ON projects (last_updated DESC, id);
CREATE INDEX projects_by_title ON projects ((lower(title) COLLATE "C"), id);
CREATE INDEX projects_search ON projects USING GIN (search);

-- Every published version of every entry, in one register-wide hash chain (see
-- charter-core/src/chain.rs). Append-only: `content` holds exactly the bytes `content_hash`
-- covers, and each `hash` covers the previous link's. `projects` above is the latest version of
-- each entry, kept for fast reading.
CREATE TABLE project_versions (
    seq           BIGINT PRIMARY KEY,       -- position in the chain, from 1
    project_id    INTEGER NOT NULL REFERENCES projects (id),
    version       INTEGER NOT NULL,
    published_at  TEXT NOT NULL,            -- RFC 3339, UTC
    note          TEXT NOT NULL,
    content       TEXT NOT NULL,            -- canonical JSON of the entry, exactly as hashed
    content_hash  TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash          TEXT NOT NULL,
    UNIQUE (project_id, version)
);

CREATE FUNCTION project_versions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'published versions cannot be changed or deleted';
END $$;
CREATE TRIGGER project_versions_append_only BEFORE UPDATE OR DELETE ON project_versions
    FOR EACH ROW EXECUTE FUNCTION project_versions_append_only();
