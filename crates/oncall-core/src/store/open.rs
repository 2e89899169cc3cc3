//! Opening the file: checks that it is ours and not from the future before touching it, then
//! switches on WAL and applies the missing migrations in one transaction.

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
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError::NewerSchema {
            path: path.to_owned(),
            found: version,
            known,
        });
    }
    Ok(())
}

fn migrate(mut conn: Connection, path: &Path) -> Result<Connection, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again inside the lock: another process may have migrated since the check.
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError::NewerSchema {
            path: path.to_owned(),
            found: version,
            known,
        });
    }
    if version < known {
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tracing::info!(target: "store", version = i + 1, "applied migration");
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    }
    tx.commit()?;
    Ok(conn)
}
