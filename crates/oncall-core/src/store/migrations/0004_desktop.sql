-- What the desktop app needs of the file: note drafts, full-text search, a change feed that
-- other processes' writes reach too, and a log of delivery attempts.

-- The note being typed, saved as it is typed: it survives a crash or a kill of the app.
CREATE TABLE drafts (
    incident_id INTEGER PRIMARY KEY REFERENCES incidents (id),
    body        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

-- Full-text search over titles, descriptions, device names and notes (external content: the
-- text is stored once, in its table).
CREATE VIRTUAL TABLE incidents_fts USING fts5 (
    title, description, device_name, hostname,
    content = 'incidents', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO incidents_fts (rowid, title, description, device_name, hostname)
    SELECT id, title, description, device_name, hostname FROM incidents;
CREATE TRIGGER incidents_fts_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO incidents_fts (rowid, title, description, device_name, hostname)
        VALUES (new.id, new.title, new.description, new.device_name, new.hostname);
END;
CREATE TRIGGER incidents_fts_update AFTER UPDATE OF title, description, device_name, hostname
    ON incidents BEGIN
    INSERT INTO incidents_fts (incidents_fts, rowid, title, description, device_name, hostname)
        VALUES ('delete', old.id, old.title, old.description, old.device_name, old.hostname);
    INSERT INTO incidents_fts (rowid, title, description, device_name, hostname)
        VALUES (new.id, new.title, new.description, new.device_name, new.hostname);
END;

CREATE VIRTUAL TABLE notes_fts USING fts5 (
    body, content = 'notes', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO notes_fts (rowid, body) SELECT id, body FROM notes;
CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts (rowid, body) VALUES (new.id, new.body);
END;

-- Lists are newest first; filters narrow by state, severity and tenant.
CREATE INDEX incidents_by_severity ON incidents (severity, id);
CREATE INDEX incidents_by_tenant ON incidents (tenant_id, id);

-- The change feed: one row per change to an incident or anything of it, from any connection of
-- any process. A reader remembers the last seq it saw; only the newest rows are kept.
CREATE TABLE change_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL
) STRICT;
CREATE TRIGGER change_log_trim AFTER INSERT ON change_log BEGIN
    DELETE FROM change_log WHERE seq <= new.seq - 10000;
END;
CREATE TRIGGER changed_incident_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO change_log (incident_id) VALUES (new.id);
END;
CREATE TRIGGER changed_incident_update AFTER UPDATE ON incidents BEGIN
    INSERT INTO change_log (incident_id) VALUES (new.id);
END;
CREATE TRIGGER changed_note_insert AFTER INSERT ON notes BEGIN
    INSERT INTO change_log (incident_id) VALUES (new.incident_id);
END;
CREATE TRIGGER changed_note_update AFTER UPDATE ON notes BEGIN
    INSERT INTO change_log (incident_id) VALUES (new.incident_id);
END;
CREATE TRIGGER changed_outbox_insert AFTER INSERT ON outbox BEGIN
    INSERT INTO change_log (incident_id) VALUES (new.incident_id);
END;
CREATE TRIGGER changed_outbox_update AFTER UPDATE ON outbox BEGIN
    INSERT INTO change_log (incident_id) VALUES (new.incident_id);
END;
CREATE TRIGGER changed_outbox_delete AFTER DELETE ON outbox BEGIN
    INSERT INTO change_log (incident_id) VALUES (old.incident_id);
END;
CREATE TRIGGER changed_time_insert AFTER INSERT ON time_entries BEGIN
    INSERT INTO change_log (incident_id) VALUES (new.incident_id);
END;
CREATE TRIGGER changed_time_update AFTER UPDATE ON time_entries BEGIN
    INSERT INTO change_log (incident_id) VALUES (new.incident_id);
END;
CREATE TRIGGER changed_time_delete AFTER DELETE ON time_entries BEGIN
    INSERT INTO change_log (incident_id) VALUES (old.incident_id);
END;
CREATE TRIGGER changed_timer_insert AFTER INSERT ON work_timers BEGIN
    INSERT INTO change_log (incident_id) VALUES (new.incident_id);
END;
CREATE TRIGGER changed_timer_update AFTER UPDATE ON work_timers BEGIN
    INSERT INTO change_log (incident_id) VALUES (new.incident_id);
END;
CREATE TRIGGER changed_stretch_insert AFTER INSERT ON timer_stretches BEGIN
    INSERT INTO change_log (incident_id)
        SELECT incident_id FROM work_timers WHERE id = new.timer_id;
END;

-- The sync log: each delivery attempt's result, written by the outbox's own updates so that every
-- engine (the app's, `oncall sync`) records alike. Only the newest rows are kept.
CREATE TABLE sync_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id   INTEGER NOT NULL,
    incident_id INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    at          TEXT NOT NULL,
    result      TEXT NOT NULL CHECK (result IN ('delivered', 'retry', 'refused')),
    message     TEXT NOT NULL
) STRICT;
CREATE TRIGGER sync_log_trim AFTER INSERT ON sync_log BEGIN
    DELETE FROM sync_log WHERE id <= new.id - 2000;
END;
CREATE TRIGGER sync_log_delivered AFTER UPDATE OF state ON outbox
    WHEN new.state = 'done' AND old.state <> 'done' BEGIN
    INSERT INTO sync_log (outbox_id, incident_id, kind, at, result, message)
        VALUES (new.id, new.incident_id, new.kind, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
                'delivered', coalesce(new.outcome, 'delivered'));
END;
CREATE TRIGGER sync_log_refused AFTER UPDATE OF state ON outbox
    WHEN new.state IN ('failed', 'refused') AND old.state NOT IN ('failed', 'refused') BEGIN
    INSERT INTO sync_log (outbox_id, incident_id, kind, at, result, message)
        VALUES (new.id, new.incident_id, new.kind, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
                'refused', coalesce(new.last_error, 'refused by the PSA'));
END;
CREATE TRIGGER sync_log_retry AFTER UPDATE OF next_attempt_ms ON outbox
    WHEN new.state = 'pending' AND new.last_error IS NOT NULL AND new.next_attempt_ms IS NOT NULL
         AND new.next_attempt_ms IS NOT old.next_attempt_ms BEGIN
    INSERT INTO sync_log (outbox_id, incident_id, kind, at, result, message)
        VALUES (new.id, new.incident_id, new.kind, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
                'retry', new.last_error);
END;
