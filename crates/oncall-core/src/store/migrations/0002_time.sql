-- Work timers and time entries: billable time logged on the PSA ticket.

-- A timer per incident and technician. A running timer is stored as the instant it started
-- (running_since), never as a count in memory, so a crash or a reboot loses no time.
CREATE TABLE work_timers (
    id            INTEGER PRIMARY KEY,
    incident_id   INTEGER NOT NULL REFERENCES incidents (id),
    technician    TEXT NOT NULL,
    running_since TEXT,
    created_at    TEXT NOT NULL,
    UNIQUE (incident_id, technician)
) STRICT;
-- One running timer per technician, as PSA stopwatches do.
CREATE UNIQUE INDEX one_running_timer_per_technician
    ON work_timers (technician) WHERE running_since IS NOT NULL;

-- The finished stretches of work of a timer (pauses fall between them).
CREATE TABLE timer_stretches (
    id         INTEGER PRIMARY KEY,
    timer_id   INTEGER NOT NULL REFERENCES work_timers (id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    ended_at   TEXT NOT NULL
) STRICT;

CREATE TABLE time_entries (
    id                INTEGER PRIMARY KEY,
    incident_id       INTEGER NOT NULL REFERENCES incidents (id),
    technician        TEXT NOT NULL,
    started_at        TEXT NOT NULL,
    ended_at          TEXT NOT NULL,
    minutes           INTEGER NOT NULL CHECK (minutes > 0),
    billable          INTEGER NOT NULL,
    work_type         TEXT NOT NULL,
    note              TEXT NOT NULL,
    source            TEXT NOT NULL CHECK (source IN ('timer', 'manual')),
    -- Set when a timer ran past the limit: the entry is not sent until a person confirms it.
    held_reason       TEXT,
    psa_time_entry_id TEXT,
    created_at        TEXT NOT NULL
) STRICT;
CREATE INDEX time_entries_by_incident ON time_entries (incident_id, id);
