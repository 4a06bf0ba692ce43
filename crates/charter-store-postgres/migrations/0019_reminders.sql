-- Reminders already queued, one row per reminder key (duty, thing, due time, stage). The row and
-- the reminder's emails are written in one transaction, so each reminder goes once however many
-- instances look, and none is lost if an instance stops halfway.
CREATE TABLE reminders_sent (
    key          TEXT PRIMARY KEY,
    organisation TEXT NOT NULL,
    queued_at    TEXT NOT NULL,
    messages     INTEGER NOT NULL
);

