-- Delivery facts the store must know for sure.
-- 1. A write the PSA refused is 'refused' (it was 'failed').
-- 2. Outbox and time entry ids are never reused (AUTOINCREMENT): a late PSA answer, an
--    external_ref or a log line naming a deleted row can never land on a newer one.
-- 3. `may_be_in_psa` records whether a request carrying the write may have been applied. It is
--    set in a committed transaction before each request leaves, so a timeout or a killed
--    process can never pass a write off as unsent; cleared only by an answer proving nothing
--    was applied (a connection never made, a 429, a refusal), so a person's retry of a refused
--    write may go out under a new idempotency key.
-- 4. `schema_info` holds the compatibility version (see store/open.rs).

CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id     INTEGER NOT NULL REFERENCES incidents (id),
    kind            TEXT NOT NULL
                    CHECK (kind IN ('create_ticket', 'add_note', 'resolve', 'add_time_entry')),
    note_id         INTEGER REFERENCES notes (id),
    time_entry_id   INTEGER,
    payload         TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'done', 'refused', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0, -- requests that carried it
    next_attempt_ms INTEGER, -- unix milliseconds: compared numerically, unlike RFC 3339 text
    last_error      TEXT,
    outcome         TEXT,
    may_be_in_psa   INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    completed_at    TEXT
) STRICT;
INSERT INTO outbox_new (id, incident_id, kind, note_id, time_entry_id, payload, idempotency_key,
        state, attempts, next_attempt_ms, last_error, outcome, may_be_in_psa, created_at,
        completed_at)
    SELECT id, incident_id, kind, note_id, time_entry_id, payload, idempotency_key,
        CASE state WHEN 'failed' THEN 'refused' ELSE state END,
        attempts, next_attempt_ms, last_error, outcome,
        -- Before this, a refusal was always a 4xx (nothing applied) and an attempt was
        -- counted only once answered: any attempt may have reached the PSA.
        state = 'done' OR (state = 'pending' AND attempts > 0),
        created_at, completed_at
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_open ON outbox (state, incident_id, id);
CREATE INDEX outbox_by_time_entry ON outbox (time_entry_id);

CREATE TABLE time_entries_new (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id       INTEGER NOT NULL REFERENCES incidents (id),
    technician        TEXT NOT NULL,
    started_at        TEXT NOT NULL,
    ended_at          TEXT NOT NULL,
    minutes           INTEGER NOT NULL CHECK (minutes > 0),
    billable          INTEGER NOT NULL,
    work_type         TEXT NOT NULL,
    note              TEXT NOT NULL,
    source            TEXT NOT NULL CHECK (source IN ('timer', 'manual')),
    held_reason       TEXT,
    psa_time_entry_id TEXT,
    created_at        TEXT NOT NULL
) STRICT;
INSERT INTO time_entries_new SELECT * FROM time_entries;
DROP TABLE time_entries;
ALTER TABLE time_entries_new RENAME TO time_entries;
CREATE INDEX time_entries_by_incident ON time_entries (incident_id, id);

CREATE TABLE schema_info (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    compatible_from  INTEGER NOT NULL
) STRICT;
INSERT INTO schema_info (id, compatible_from) VALUES (1, 0);
