//! Opening the file: checks that it is ours and not from the future before touching it, then
//! switches on WAL and applies the missing migrations in one transaction.
//!
//! Compatibility rule: `PRAGMA user_version` is the schema version (how many migrations are
//! applied) and `schema_info.compatible_from` the oldest schema version whose builds can still
//! read and write the file: the number of the last migration marked `breaks_older`. A build that
//! knows `known` migrations opens a file at version `v`:
//! - `v <= known`: applies the missing migrations;
//! - `v > known` and `compatible_from <= known`: uses it as it is, migrating nothing (a newer
//!   build only added what this one can ignore);
//! - otherwise: refuses it unchanged ([`StoreError::NewerSchema`]).

use std::{path::Path, time::Duration};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::{MIGRATIONS, StoreError};

/// Marks the file as ours (`PRAGMA application_id`): "OCDK".
const APPLICATION_ID: i64 = 0x4F43_444B;
/// How long a writer waits for another process before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) fn open(path: &Path) -> Result<Connection, StoreError> {
    let open_err = |reason: String| StoreError::Open {
        path: path.to_owned(),
        reason,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| open_err(e.to_string()))?;
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| open_err(e.to_string()))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    check_ours(&conn, path)?;
    conn.pragma_update(None, "journal_mode", "wal")?;
    conn.pragma_update(None, "synchronous", "full")?;
    conn.pragma_update(None, "foreign_keys", "on")?;
    migrate(conn, path)
}

/// Refuses a file that is not an SQLite database, another program's database, or ours from a
/// newer version. Reads only.
fn check_ours(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let not_ours = |reason: String| StoreError::NotOurs {
        path: path.to_owned(),
        reason,
    };
    let read = |sql: &str| -> Result<i64, StoreError> {
        conn.query_row(sql, [], |r| r.get(0))
            .map_err(|e| match StoreError::from(e) {
                StoreError::Busy => StoreError::Busy,
                other => not_ours(other.to_string()),
            })
    };
    let app_id = read("PRAGMA application_id")?;
    let version = read("PRAGMA user_version")?;
    let tables = read("SELECT count(*) FROM sqlite_schema")?;
    if app_id != APPLICATION_ID && (app_id != 0 || tables > 0) {
        return Err(not_ours(format!(
            "it belongs to another program (application id {app_id:#x})"
        )));
    }
    usable_version(
        version,
        || read("SELECT compatible_from FROM schema_info"),
        path,
    )
}

/// Checks that a file at schema `version` can be used by this build (see the module's rule);
/// `compatible_from` is asked only for a file newer than this build.
fn usable_version(
    version: i64,
    compatible_from: impl FnOnce() -> Result<i64, StoreError>,
    path: &Path,
) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    if version <= known {
        return Ok(());
    }
    // A newer file without the marker (or with it unreadable) is treated as incompatible.
    let from = match compatible_from() {
        Ok(from) => from,
        Err(StoreError::Busy) => return Err(StoreError::Busy),
        Err(_) => version,
    };
    if from > known {
        return Err(StoreError::NewerSchema {
            path: path.to_owned(),
            found: version,
            known,
        });
    }
    Ok(())
}

/// `compatible_from` after applying the first `applied` migrations.
fn compatible_from(applied: usize) -> i64 {
    MIGRATIONS[..applied]
        .iter()
        .rposition(|m| m.breaks_older)
        .map_or(0, |i| i as i64 + 1)
}

fn migrate(mut conn: Connection, path: &Path) -> Result<Connection, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again inside the lock: another process may have migrated since the check.
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    usable_version(
        version,
        || Ok(tx.query_row("SELECT compatible_from FROM schema_info", [], |r| r.get(0))?),
        path,
    )?;
    let known = MIGRATIONS.len() as i64;
    if version < known {
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(m.sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tracing::info!(target: "store", version = i + 1, "applied migration");
        }
        tx.execute(
            "UPDATE schema_info SET compatible_from = ?1",
            [compatible_from(MIGRATIONS.len())],
        )?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    }
    tx.commit()?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_at(version: i64, compatible_from: i64) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("db.sqlite3");
        drop(open(&path).expect("create"));
        let conn = Connection::open(&path).expect("reopen");
        conn.pragma_update(None, "user_version", version)
            .expect("version");
        conn.execute(
            "UPDATE schema_info SET compatible_from = ?1",
            [compatible_from],
        )
        .expect("compat");
        (dir, path)
    }

    #[test]
    fn a_newer_schema_still_compatible_with_this_build_opens_untouched() {
        let known = MIGRATIONS.len() as i64;
        let (_dir, path) = file_at(known + 1, known);
        let conn = open(&path).expect("a compatible newer file opens");
        conn.execute_batch("INSERT INTO tenants VALUES ('acme', 'o', 'ACME', 'now')")
            .expect("and takes writes");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, known + 1, "not migrated down");
    }

    #[test]
    fn a_newer_schema_that_breaks_this_build_is_refused() {
        let known = MIGRATIONS.len() as i64;
        let (_dir, path) = file_at(known + 1, known + 1);
        match open(&path) {
            Err(StoreError::NewerSchema { found, .. }) => assert_eq!(found, known + 1),
            other => panic!("expected NewerSchema, got {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn migration_3_renames_failed_to_refused_and_stops_id_reuse() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("v2.sqlite3");
        {
            let conn = Connection::open(&path).expect("create");
            for m in &MIGRATIONS[..2] {
                conn.execute_batch(m.sql).expect("old schema");
            }
            conn.execute_batch(
                "PRAGMA user_version = 2;
                 PRAGMA application_id = 1329808459;
                 INSERT INTO tenants VALUES ('acme', 'o', 'ACME', 't');
                 INSERT INTO incidents (id, tenant_id, title, description, severity, status,
                     created_at) VALUES (1, 'acme', 't', '', 'low', 'acknowledged', 't');
                 INSERT INTO outbox (id, incident_id, kind, payload, idempotency_key, state,
                     attempts, created_at) VALUES
                     (1, 1, 'create_ticket', '{}', 'k1', 'done', 1, 't'),
                     (2, 1, 'add_note', '{}', 'k2', 'failed', 1, 't'),
                     (3, 1, 'add_note', '{}', 'k3', 'pending', 2, 't'),
                     (4, 1, 'add_note', '{}', 'k4', 'pending', 0, 't');
                 INSERT INTO time_entries (id, incident_id, technician, started_at, ended_at,
                     minutes, billable, work_type, note, source, created_at)
                     VALUES (7, 1, 'Dana', 't', 't', 5, 1, 'w', 'n', 'manual', 't');",
            )
            .expect("old rows");
        }
        let conn = open(&path).expect("migrates");
        let rows: Vec<(i64, String, bool)> = conn
            .prepare("SELECT id, state, may_be_in_psa FROM outbox ORDER BY id")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .expect("rows");
        let want = [
            (1, "done", true),
            (2, "refused", false),
            (3, "pending", true),
            (4, "pending", false),
        ];
        let got: Vec<_> = rows.iter().map(|(i, s, m)| (*i, s.as_str(), *m)).collect();
        assert_eq!(got, want);
        conn.execute_batch(
            "DELETE FROM time_entries WHERE id = 7;
             INSERT INTO time_entries (incident_id, technician, started_at, ended_at, minutes,
                 billable, work_type, note, source, created_at)
                 VALUES (1, 'Dana', 't', 't', 5, 1, 'w', 'n', 'manual', 't');",
        )
        .expect("delete, then add");
        let id: i64 = conn
            .query_row("SELECT id FROM time_entries", [], |r| r.get(0))
            .expect("id");
        assert_eq!(id, 8, "a deleted entry's id is never handed out again");
    }
}
