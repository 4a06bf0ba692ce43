-- Kept sums behind the statistics on challenges and questions, changed in the same transaction
-- as each item (charter_core::challenge_counts), so the statistics read a few rows however many
-- items there are. `challenge_counts`: for each project (organisation, project number), each
-- organisation (project 0) and the region (organisation '', project 0), how many items count
-- for each figure: received/<kind>, answered, on-time, days/<days to answer>, outcome/<outcome>,
-- open/<answer-by day>. Sums that come to zero are dropped. Erased items keep counting, as the
-- anonymous row in `challenges` does.
CREATE TABLE challenge_counts (
    organisation TEXT NOT NULL,
    project_id   INTEGER NOT NULL,
    figure       TEXT NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (organisation, project_id, figure)
);
CREATE INDEX challenge_counts_by_project ON challenge_counts (project_id, figure);
CREATE INDEX challenge_counts_zero ON challenge_counts (n) WHERE n = 0;

-- The dashboard's answers on time, for the region (scope '') and each organisation: +1 from the
-- day an item was answered, -1 from the first day of the next month, so summed up to a day they
-- give that month's answers so far. By day, and by month as the dashboard keeps its sums.
CREATE TABLE challenge_answer_days (
    scope  TEXT NOT NULL,
    day    TEXT NOT NULL,
    metric TEXT NOT NULL,
    change BIGINT NOT NULL,
    PRIMARY KEY (scope, day, metric)
);
CREATE TABLE challenge_answer_months (
    scope  TEXT NOT NULL,
    month  TEXT NOT NULL,
    metric TEXT NOT NULL,
    change BIGINT NOT NULL,
    PRIMARY KEY (scope, month, metric)
);

-- Counting the items there are already.
WITH item AS (
    SELECT c.organisation, c.project_id, c.kind, c.status, c.outcome, c.answer_by,
           substr(c.answered_at, 1, 10) AS answered,
           CAST(julianday(substr(c.answered_at, 1, 10)) - julianday(substr(c.received_at, 1, 10)) AS INTEGER) AS days
    FROM challenges c
),
figure AS (
    SELECT organisation, project_id, 'received/' || kind AS figure FROM item
    UNION ALL
    SELECT organisation, project_id, 'answered' FROM item WHERE answered IS NOT NULL
    UNION ALL
    SELECT organisation, project_id, 'on-time' FROM item WHERE answered IS NOT NULL AND answered <= answer_by
    UNION ALL
    SELECT organisation, project_id, 'days/' || CAST(max(days, 0) AS TEXT) FROM item WHERE answered IS NOT NULL
    UNION ALL
    SELECT organisation, project_id, 'outcome/' || outcome FROM item WHERE outcome IS NOT NULL
    UNION ALL
    SELECT organisation, project_id, 'open/' || answer_by FROM item WHERE status IN ('received', 'acknowledged')
)
INSERT INTO challenge_counts (organisation, project_id, figure, n)
SELECT organisation, project_id, figure, COUNT(*) FROM figure GROUP BY organisation, project_id, figure
UNION ALL
SELECT organisation, 0, figure, COUNT(*) FROM figure GROUP BY organisation, figure
UNION ALL
SELECT '', 0, figure, COUNT(*) FROM figure GROUP BY figure;

WITH answer AS (
    SELECT c.organisation, substr(c.answered_at, 1, 10) AS day,
           date(substr(c.answered_at, 1, 10), 'start of month', '+1 month') AS next_month,
           CASE WHEN substr(c.answered_at, 1, 10) <= c.answer_by THEN 1 ELSE 0 END AS on_time
    FROM challenges c WHERE c.answered_at IS NOT NULL
),
metric AS (
    SELECT organisation, day, 'challenges/answered-this-month' AS metric, 1 AS change FROM answer
    UNION ALL
    SELECT organisation, next_month, 'challenges/answered-this-month', -1 FROM answer
    UNION ALL
    SELECT organisation, day, 'challenges/answered-on-time-this-month', 1 FROM answer WHERE on_time = 1
    UNION ALL
    SELECT organisation, next_month, 'challenges/answered-on-time-this-month', -1 FROM answer WHERE on_time = 1
),
scoped AS (
    SELECT organisation AS scope, day, metric, change FROM metric
    UNION ALL
    SELECT '', day, metric, change FROM metric
)
INSERT INTO challenge_answer_days (scope, day, metric, change)
SELECT scope, day, metric, SUM(change) FROM scoped GROUP BY scope, day, metric;

INSERT INTO challenge_answer_months (scope, month, metric, change)
SELECT scope, substr(day, 1, 7), metric, SUM(change) FROM challenge_answer_days
GROUP BY scope, substr(day, 1, 7), metric;
