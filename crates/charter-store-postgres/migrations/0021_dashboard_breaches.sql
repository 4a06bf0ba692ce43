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
