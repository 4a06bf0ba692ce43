-- Identifier kinds a site administrator sets up for residents' opt-outs, besides the NHS number
-- (built in), such as a council's tenancy reference. Every tag of a kind depends on its name and
-- tag prefix, so those never change and a kind is never deleted; its words and rules may change
-- only while no opt-out uses it. Retired kinds are no longer offered, but their opt-outs apply.
CREATE TABLE optout_identifier_kinds (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,        -- machine name, such as knowsley-tenancy-ref
    tag_prefix TEXT NOT NULL UNIQUE,        -- hashed before each value: never changes
    label      TEXT NOT NULL,               -- what residents see
    hint       TEXT NOT NULL,               -- where residents find it; may be empty
    charset    TEXT NOT NULL CHECK (charset IN ('digits', 'alphanumeric')),
    min_len    INTEGER NOT NULL CHECK (min_len >= 1),
    max_len    INTEGER NOT NULL CHECK (max_len >= min_len AND max_len <= 64),
    created_at TEXT NOT NULL,
    retired_at TEXT
);
CREATE TRIGGER optout_identifier_kinds_no_delete BEFORE DELETE ON optout_identifier_kinds
BEGIN SELECT RAISE(ABORT, 'identifier kinds cannot be deleted: retire them'); END;
CREATE TRIGGER optout_identifier_kinds_fixed_names BEFORE UPDATE OF name, tag_prefix ON optout_identifier_kinds
WHEN NEW.name IS NOT OLD.name OR NEW.tag_prefix IS NOT OLD.tag_prefix
BEGIN SELECT RAISE(ABORT, 'an identifier kind''s name and tag prefix never change'); END;
CREATE TRIGGER optout_identifier_kinds_fixed_in_use
BEFORE UPDATE OF label, hint, charset, min_len, max_len ON optout_identifier_kinds
WHEN EXISTS (SELECT 1 FROM optout_residents WHERE kind = OLD.name)
BEGIN SELECT RAISE(ABORT, 'an identifier kind cannot be changed once opt-outs use it'); END;
