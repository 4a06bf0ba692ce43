-- A token belongs to the person who made it: what is done with it is recorded as theirs, so the
-- four-eyes rule sees one person whether they use the web or a token. Tokens made before this
-- change have no owner and are refused until replaced.
ALTER TABLE api_tokens ADD COLUMN owner_id BIGINT REFERENCES users (id);

-- Each sign-in attempt is recorded before its password is checked, and taken back when it
-- succeeds: the row needs a name to be taken back by.
ALTER TABLE sign_in_failures ADD COLUMN id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
