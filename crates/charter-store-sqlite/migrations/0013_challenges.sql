-- Residents' challenges to decisions and their questions about projects. The resident's words
-- (`submission`) and how to reach them (`contact`) are JSON documents, the only personal
-- details here: both are set to NULL when erased (a set time after closure, or when the
-- resident deletes what they sent), leaving the anonymous row for the counts. The reference
-- people quote is CH-<year received>-<id>. Deadlines are days (YYYY-MM-DD), worked out from
-- the charter's settings when the item arrives; `token_hash` is the hash of the resident's
-- private link, never the link.
CREATE TABLE challenges (
    id                      INTEGER PRIMARY KEY,
    kind                    TEXT NOT NULL CHECK (kind IN ('challenge', 'question')),
    project_id              INTEGER NOT NULL REFERENCES projects (id),
    organisation            TEXT NOT NULL,
    status                  TEXT NOT NULL
        CHECK (status IN ('received', 'acknowledged', 'answered', 'closed')),
    received_at             TEXT NOT NULL,
    acknowledge_by          TEXT NOT NULL,
    answer_by               TEXT NOT NULL,
    acknowledged_at         TEXT,
    answered_at             TEXT,
    closed_at               TEXT,
    assignee_id             INTEGER REFERENCES users (id),
    outcome                 TEXT
        CHECK (outcome IN ('upheld', 'partly-upheld', 'not-upheld', 'withdrawn')),
    answer                  TEXT,
    changes                 TEXT,
    public_requested        INTEGER NOT NULL CHECK (public_requested IN (0, 1)),
    public                  INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
    escalated_at            TEXT,
    acknowledge_reminded_at TEXT,
    answer_reminded_at      TEXT,
    token_hash              TEXT UNIQUE,
    submission              TEXT,
    contact                 TEXT,
    erased_at               TEXT
);
-- The inbox: one organisation's items by status, newest first; by project; and the open
-- ones by deadline, for what is overdue.
CREATE INDEX challenges_inbox ON challenges (organisation, status, id);
CREATE INDEX challenges_by_project ON challenges (project_id, status, id);
CREATE INDEX challenges_by_assignee ON challenges (assignee_id, status, id);
CREATE INDEX challenges_open_by_deadline ON challenges (status, answer_by, acknowledge_by);
CREATE INDEX challenges_closed ON challenges (closed_at) WHERE erased_at IS NULL;
