-- A token belongs to the person who made it: what is done with it is recorded as theirs, so the
-- four-eyes rule sees one person whether they use the web or a token. Tokens made before this
-- change have no owner and are refused until replaced.
ALTER TABLE api_tokens ADD COLUMN owner_id INTEGER REFERENCES users (id);
