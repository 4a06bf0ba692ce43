-- The breach log. Each breach is kept whole as JSON text (`doc`, the charter_core Breach) as it
-- stands, with its state and 72-hour deadline as columns so lists and reminders can ask for
-- them; `version` is the lock a change must name. Every version stays in breach_versions.
CREATE TABLE breaches (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    state           TEXT NOT NULL,
    aware_at        TEXT NOT NULL,
    deadline_at     TEXT NOT NULL,
    version         INTEGER NOT NULL,
    changed_at      TEXT NOT NULL,
    doc             TEXT NOT NULL
);
CREATE INDEX breaches_organisation ON breaches (organisation_id, aware_at);
CREATE INDEX breaches_due ON breaches (state, deadline_at);

CREATE TABLE breach_versions (
    breach_id BIGINT NOT NULL REFERENCES breaches (id),
    version   INTEGER NOT NULL,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    step      TEXT NOT NULL,
    doc       TEXT NOT NULL,
    PRIMARY KEY (breach_id, version)
);
