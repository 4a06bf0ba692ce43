-- Changes in the law or policy the charter body records (principle 7). Each touches entries by a
-- rule or by hand (`touches`: topic:health, data:personal, data:special-category,
-- lawful-basis:public-task, ai:any, ai:machine-learning, entries:LCR-0001 LCR-0002). A rule picks
-- the entries on the register on `recorded_on`; each must be reviewed against the change by
-- `due_on`, which the entry itself records (its law_reviews), so the review goes through the
-- same drafts as any edit. Changes are never edited or deleted: the list is a record.
CREATE TABLE law_changes (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL,
    what_changed TEXT NOT NULL,
    in_force     TEXT NOT NULL,   -- YYYY-MM-DD
    url          TEXT NOT NULL,
    touches      TEXT NOT NULL,
    due_on       TEXT NOT NULL,   -- YYYY-MM-DD
    recorded_on  TEXT NOT NULL,   -- YYYY-MM-DD
    recorded_by  TEXT NOT NULL    -- as the audit log names them
);

-- The register's own list starts with two changes a UK register tracks, so a new
-- register, an upgraded one and the demo all have them. Entries on the register on the day this
-- was written that use AI must be reviewed against them.
INSERT INTO law_changes (title, what_changed, in_force, url, touches, due_on, recorded_on, recorded_by) VALUES
('Data (Use and Access) Act 2025',
 'This law changes the UK''s data protection rules. It became law on 19 June 2025. Its parts start in stages, not all at once.

One change is about decisions made by a computer with no person involved. The rules on when this is allowed, and what people must be told, are new. Check how your project makes decisions about people. Check what you tell them, and how they can ask a person to look again.',
 '2025-06-19', 'https://www.legislation.gov.uk/ukpga/2025/18/contents', 'ai:any',
 '2027-03-31', '2026-12-06', 'the register'),
('Algorithmic Transparency Recording Standard made mandatory for central government',
 'In February 2024 the UK government said that all its central departments must use this standard. The standard is a way to publish a clear record of each computer tool used to help make decisions about people.

It does not bind councils by law. But it shows what the public can now expect to be told. Check that your entry says what the tool does, how it is used, who is responsible for it, and how a person can challenge a decision.',
 '2024-02-06', 'https://www.gov.uk/government/collections/algorithmic-transparency-recording-standard-hub', 'ai:any',
 '2027-03-31', '2026-12-06', 'the register');
