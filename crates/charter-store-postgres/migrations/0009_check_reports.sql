-- Dataset checks organisations make on their own machines with a snapshot, reported afterwards
-- (POST /api/v1/optout/checks), are recorded with the API's: counts, scopes, the identifier kind,
-- when the snapshot was made and its key version. Never identifiers or row contents.
ALTER TABLE optout_checks ADD COLUMN identifier_kind TEXT NOT NULL DEFAULT 'nhs-number';
ALTER TABLE optout_checks ADD COLUMN snapshot_created TEXT;
ALTER TABLE optout_checks ADD COLUMN key_version INTEGER;
-- A hash of the report, so that a report sent twice (a retry) counts once. NULL for API checks.
ALTER TABLE optout_checks ADD COLUMN report_hash TEXT;
CREATE UNIQUE INDEX optout_checks_one_report ON optout_checks (organisation, report_hash);
