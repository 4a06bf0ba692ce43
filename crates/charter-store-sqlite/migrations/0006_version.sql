-- A counter that every change to what searches can return moves on (publishing, organisations).
-- Instances compare it to decide whether a remembered search result is still true.
CREATE TABLE register_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO register_version (id, version) VALUES (1, 0);
