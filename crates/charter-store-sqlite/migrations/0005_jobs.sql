-- Background jobs that must run once per schedule however many instances serve the register:
-- an instance runs a job only if it moves `next_run_at` forward first, in one statement.
CREATE TABLE jobs (
    name        TEXT PRIMARY KEY,
    next_run_at TEXT NOT NULL,
    runs        BIGINT NOT NULL DEFAULT 0,
    last_run_at TEXT
);
