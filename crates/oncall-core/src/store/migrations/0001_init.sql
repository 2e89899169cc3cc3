-- Tenants, incidents, notes and the outbox of PSA writes.
CREATE TABLE tenants (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    company    TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE incidents (
    id                   INTEGER PRIMARY KEY,
    tenant_id            TEXT NOT NULL REFERENCES tenants (id),
    title                TEXT NOT NULL,
    description          TEXT NOT NULL,
    severity             TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    status               TEXT NOT NULL CHECK (status IN ('new', 'acknowledged', 'resolved')),
    alert_source         TEXT,
    product              TEXT,
    device_name          TEXT,
    hostname             TEXT,
    mitre_technique_id   TEXT,
    mitre_technique_name TEXT,
    recommended_action   TEXT,
    created_at           TEXT NOT NULL,
    acknowledged_at      TEXT,
    acknowledged_by      TEXT,
    resolved_at          TEXT,
    resolved_by          TEXT,
    resolution_summary   TEXT,
    psa_ticket_id        TEXT,
    syncs_to_psa         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX incidents_by_status ON incidents (status, tenant_id);

CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    author      TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    after_ack   INTEGER NOT NULL,
    psa_note_id TEXT
) STRICT;
CREATE INDEX notes_by_incident ON notes (incident_id, id);

-- One row per PSA write, in the order the technician acted. The idempotency key is fixed here,
-- so a retry after a crash or a lost response reuses it.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    incident_id     INTEGER NOT NULL REFERENCES incidents (id),
    kind            TEXT NOT NULL
                    CHECK (kind IN ('create_ticket', 'add_note', 'resolve', 'add_time_entry')),
    note_id         INTEGER REFERENCES notes (id),
    time_entry_id   INTEGER, -- the time_entries row (migration 2), for a time entry write
    payload         TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'done', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER, -- unix milliseconds: compared numerically, unlike RFC 3339 text
    last_error      TEXT,
    outcome         TEXT,
    created_at      TEXT NOT NULL,
    completed_at    TEXT
) STRICT;
CREATE INDEX outbox_open ON outbox (state, incident_id, id);
