-- The public register. Each record is kept whole as JSON (the types in charter-core are the
-- schema); the columns beside it are copies that queries filter, sort and count on.

CREATE TABLE organisations (
    id   INTEGER PRIMARY KEY,               -- the number in ORG-0007; never reused
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    doc  TEXT NOT NULL CHECK (json_valid(doc))
);

CREATE TABLE projects (
    id              INTEGER PRIMARY KEY,    -- the number in LCR-0042; never reused
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    slug            TEXT NOT NULL,
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL,
    status          TEXT NOT NULL,
    uses_ai         INTEGER NOT NULL CHECK (uses_ai IN (0, 1)),
    ai_kind         TEXT,
    decision_role   TEXT NOT NULL,
    -- Bit i is set when the project covers Area::ALL[i] / Topic::ALL[i]: one integer test
    -- filters "any of these", and one pass counts every option.
    areas_mask      INTEGER NOT NULL,
    topics_mask     INTEGER NOT NULL,
    last_updated    TEXT NOT NULL           -- YYYY-MM-DD, so text order is date order
);

-- The whole entry as JSON, apart from `projects` so that its rows stay narrow: filtering and
-- counting thousands of rows then reads a few pages, not one page per entry.
CREATE TABLE project_docs (
    id  INTEGER PRIMARY KEY REFERENCES projects (id),
    doc TEXT NOT NULL CHECK (json_valid(doc))
);

-- Covers counting an organisation's projects and those using AI without reading the rows.
CREATE INDEX projects_by_organisation ON projects (organisation_id, uses_ai);
CREATE INDEX projects_by_updated ON projects (last_updated DESC, id);
CREATE INDEX projects_by_title ON projects (title COLLATE NOCASE, id);

-- Full-text search. rowid = projects.id. Porter stemming makes "repairs" find "repair";
-- `body` holds the longer descriptions and the organisation's name.
CREATE VIRTUAL TABLE project_search USING fts5 (
    title, summary, body,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Every published version of every entry, in one register-wide hash chain (see
-- charter-core/src/chain.rs). Append-only: `content` holds exactly the bytes `content_hash`
-- covers, and each `hash` covers the previous link's. `projects` above is the latest version of
-- each entry, kept for fast reading.
CREATE TABLE project_versions (
    seq           INTEGER PRIMARY KEY,      -- position in the chain, from 1
    project_id    INTEGER NOT NULL REFERENCES projects (id),
    version       INTEGER NOT NULL,
    published_at  TEXT NOT NULL,            -- RFC 3339, UTC
    note          TEXT NOT NULL,
    content       TEXT NOT NULL,            -- canonical JSON of the entry
    content_hash  TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash          TEXT NOT NULL,
    UNIQUE (project_id, version)
);

CREATE TRIGGER project_versions_no_update BEFORE UPDATE ON project_versions
BEGIN SELECT RAISE(ABORT, 'published versions cannot be changed'); END;
CREATE TRIGGER project_versions_no_delete BEFORE DELETE ON project_versions
BEGIN SELECT RAISE(ABORT, 'published versions cannot be deleted'); END;
