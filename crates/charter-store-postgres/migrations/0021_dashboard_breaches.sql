-- The dashboard's breach figures by month (charter-core/src/dashboard/breach_months.rs): each
-- change to a breach adds +1 or -1 to a figure of the month its 72-hour deadline fell in
-- (`month`), counting from `day` on. A month's figures on a day are the sum of its rows up to
-- that day, so a page reads a few rows per month shown. Written in the same transaction as the
-- breach's change. `scope` is an organisation's short name, or '' for the whole region.
CREATE TABLE dashboard_breach_months (
    scope  TEXT NOT NULL,
    month  TEXT NOT NULL,                   -- YYYY-MM
    day    TEXT NOT NULL,                   -- YYYY-MM-DD
    metric TEXT NOT NULL,
    change BIGINT NOT NULL,
    PRIMARY KEY (scope, month, day, metric)
);

-- Breaches logged before this table: their figures from every version they had, as each change
-- would have added them (the difference from the version before, from the later of the change's
-- day and the deadline's day).
INSERT INTO dashboard_breach_months (scope, month, day, metric, change)
WITH counted AS (
    SELECT v.breach_id, v.version, v.at, b.deadline_at, o.slug,
           CASE WHEN (v.doc::jsonb #>> '{decision,risk}') = 'no-risk' THEN 0 ELSE 1 END AS due,
           CASE WHEN (v.doc::jsonb #>> '{decision,risk}') = 'no-risk' THEN 0
                WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(v.doc::jsonb -> 'reports') r
                             WHERE (r ->> 'follow_up')::boolean = false
                               AND (r ->> 'at') <= b.deadline_at) THEN 1
                ELSE 0 END AS on_time
    FROM breach_versions v
    JOIN breaches b ON b.id = v.breach_id
    JOIN organisations o ON o.id = b.organisation_id
), changed AS (
    SELECT slug, substr(deadline_at, 1, 7) AS month,
           greatest(substr(at, 1, 10), substr(deadline_at, 1, 10)) AS day,
           due - coalesce(lag(due) OVER w, 0) AS due,
           on_time - coalesce(lag(on_time) OVER w, 0) AS on_time
    FROM counted
    WINDOW w AS (PARTITION BY breach_id ORDER BY version)
), rows AS (
    SELECT '' AS scope, month, day, 'breaches/due' AS metric, due AS change FROM changed
    UNION ALL SELECT slug, month, day, 'breaches/due', due FROM changed
    UNION ALL SELECT '', month, day, 'breaches/on-time', on_time FROM changed
    UNION ALL SELECT slug, month, day, 'breaches/on-time', on_time FROM changed
)
SELECT scope, month, day, metric, sum(change) FROM rows
GROUP BY scope, month, day, metric
HAVING sum(change) <> 0;
