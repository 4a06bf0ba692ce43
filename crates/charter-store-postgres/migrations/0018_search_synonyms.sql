-- The synonyms a site administrator saved for search (one group a line, entries split by
-- commas), used instead of charter/synonyms.toml. One row at most.
CREATE TABLE search_synonyms (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    lines    TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
