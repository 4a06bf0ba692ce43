-- Identifier kinds a site administrator sets up for residents' opt-outs, besides the NHS number
-- (built in), such as a council's tenancy reference. Every tag of a kind depends on its name and
-- tag prefix, so those never change and a kind is never deleted; its words and rules may change
-- only while no opt-out uses it. Retired kinds are no longer offered, but their opt-outs apply.
CREATE TABLE optout_identifier_kinds (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
CREATE FUNCTION optout_identifier_kinds_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'identifier kinds cannot be deleted: retire them';
    END IF;
    IF NEW.name IS DISTINCT FROM OLD.name OR NEW.tag_prefix IS DISTINCT FROM OLD.tag_prefix THEN
        RAISE EXCEPTION 'an identifier kind''s name and tag prefix never change';
    END IF;
    IF (NEW.label, NEW.hint, NEW.charset, NEW.min_len, NEW.max_len)
           IS DISTINCT FROM (OLD.label, OLD.hint, OLD.charset, OLD.min_len, OLD.max_len)
       AND EXISTS (SELECT 1 FROM optout_residents WHERE kind = OLD.name) THEN
        RAISE EXCEPTION 'an identifier kind cannot be changed once opt-outs use it';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER optout_identifier_kinds_guard BEFORE UPDATE OR DELETE ON optout_identifier_kinds
    FOR EACH ROW EXECUTE FUNCTION optout_identifier_kinds_guard();
