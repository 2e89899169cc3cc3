use std::path::PathBuf;

use rusqlite::ErrorCode;

use crate::domain::{IncidentId, NoteId};

/// Why the store could not do what was asked. Nothing is half-written when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be opened or created.
    #[error("cannot open the database {path}: {reason}")]
    Open {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The file belongs to a newer version of oncall-desk.
    #[error(
        "{path} was written by a newer oncall-desk (schema {found}, this version knows up to {known}); \
         upgrade oncall-desk to open it. The file was not changed."
    )]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest schema this build knows.
        known: i64,
    },
    /// The file is not an oncall-desk database, or it is damaged.
    #[error(
        "{path} is not an oncall-desk database or is damaged ({reason}); the file was not changed"
    )]
    NotOurs {
        /// The file.
        path: PathBuf,
        /// What gave it away.
        reason: String,
    },
    /// No tenant with this id.
    #[error("unknown tenant '{0}'")]
    UnknownTenant(String),
    /// A tenant with this id exists already.
    #[error("tenant '{0}' already exists")]
    DuplicateTenant(String),
    /// No incident with this id.
    #[error("no incident {0}")]
    UnknownIncident(IncidentId),
    /// No note with this id.
    #[error("no note {0}")]
    UnknownNote(NoteId),
    /// No time entry with this id.
    #[error("no time entry {0}")]
    UnknownTimeEntry(i64),
    /// A value is larger than the store keeps.
    #[error("the {what} is too large to save (over {max} bytes)")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The limit in bytes.
        max: usize,
    },
    /// Another process held the database for longer than the busy timeout.
    #[error("the database is busy (another oncall-desk is writing to it); try again")]
    Busy,
    /// The disk is full.
    #[error("the disk is full, so nothing was saved; free some space and try again")]
    DiskFull,
    /// A stored value cannot be read back.
    #[error("the database holds a value this version cannot read: {0}")]
    Damaged(String),
    /// Any other SQLite error.
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Self::Busy,
            Some(ErrorCode::DiskFull) => Self::DiskFull,
            _ => match e {
                rusqlite::Error::FromSqlConversionFailure(_, _, cause) => {
                    Self::Damaged(cause.to_string())
                }
                rusqlite::Error::InvalidColumnType(_, name, ty) => {
                    Self::Damaged(format!("column {name} holds {ty}"))
                }
                e => Self::Sqlite(e),
            },
        }
    }
}
