-- The dashboard's sums, worked out from `project_versions` (charter-core/src/dashboard.rs): each
-- published version adds +1 or -1 to a figure ("metric") from a day on. The sums are kept by day
-- and by month, so the figures on any day read one row per month and metric before it, not every
-- version. `scope` is an organisation's short name, or '' for the whole region.
CREATE TABLE dashboard_days (
    scope  TEXT NOT NULL,
    day    TEXT NOT NULL,                   -- YYYY-MM-DD
    metric TEXT NOT NULL,
    change BIGINT NOT NULL,
    PRIMARY KEY (scope, day, metric)
);

CREATE TABLE dashboard_months (
    scope  TEXT NOT NULL,
    month  TEXT NOT NULL,                   -- YYYY-MM
    metric TEXT NOT NULL,
    change BIGINT NOT NULL,
    PRIMARY KEY (scope, month, metric)
);

-- How far along the chain the sums have counted: the seq of the last version counted.
CREATE TABLE dashboard_position (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO dashboard_position (id, seq) VALUES (1, 0);
