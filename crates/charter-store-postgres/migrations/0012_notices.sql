-- The kinds of email a person has turned off; every kind is on until they do.
CREATE TABLE notices_off (
    user_id BIGINT NOT NULL REFERENCES users (id),
    notice  TEXT NOT NULL,
    PRIMARY KEY (user_id, notice)
);

-- Email waiting to be sent. The action that caused it is already saved; the sender takes each
-- message in turn (moving `next_try_at` on first, so one instance sends it) and removes it once
-- sent. `path` is the page it points to: the public address is put before it when it is sent.
CREATE TABLE mail_queue (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    to_address  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    path        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    next_try_at TEXT NOT NULL,
    tries       INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE INDEX mail_queue_due ON mail_queue (next_try_at);
