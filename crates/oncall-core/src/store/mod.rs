//! The local SQLite file: one per user, WAL, foreign keys, versioned migrations. Each user action
//! is one transaction together with the outbox rows the PSA must later receive.

mod error;
mod feed;
mod incidents;
mod lists;
mod notes;
mod open;
mod outbox;
mod tenants;
mod time;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, TransactionBehavior};

pub use error::StoreError;
pub use incidents::IncidentFilter;
pub use outbox::{AWAITING_ANSWER, Delivered, LinkReplaced, OutboxCounts, OutboxItem, Subject};

/// One schema change.
struct Migration {
    sql: &'static str,
    /// Whether builds that predate it can no longer use a file that has it (see `open.rs`):
    /// true when it renames or removes something, changes a value's meaning, or adds a
    /// constraint an older build's writes could break; false for additions older builds can
    /// ignore (a new table, a nullable column, an index).
    breaks_older: bool,
}

/// The schema versions, in order; `PRAGMA user_version` holds how many are applied.
const MIGRATIONS: &[Migration] = &[
    Migration {
        sql: include_str!("migrations/0001_init.sql"),
        breaks_older: true,
    },
    Migration {
        sql: include_str!("migrations/0002_time.sql"),
        breaks_older: true,
    },
    // 'failed' became 'refused': an older build would write a state the CHECK refuses.
    Migration {
        sql: include_str!("migrations/0003_delivery.sql"),
        breaks_older: true,
    },
    // Drafts, search, the change feed and the sync log: new tables, triggers and indexes only.
    Migration {
        sql: include_str!("migrations/0004_desktop.sql"),
        breaks_older: false,
    },
    // Indexes for the incident list's counts and ticket-id search: an older build ignores them.
    Migration {
        sql: include_str!("migrations/0005_list_indexes.sql"),
        breaks_older: false,
    },
];

/// An open oncall-desk database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A write transaction: everything done through it commits together or not at all.
pub struct Tx<'a>(rusqlite::Transaction<'a>);

impl Store {
    /// Opens (creating if needed) the database at `path`, refusing a file that is not ours, is
    /// damaged, or was written by a newer version, without changing it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        open::open(path).map(|conn| Self {
            conn,
            path: path.to_owned(),
        })
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A number that changes whenever another connection commits to the file.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Runs `f` in one immediate write transaction, committed only if `f` succeeds.
    pub fn write<T, E>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let tx = Tx(tx);
        let value = f(&tx)?;
        tx.0.commit().map_err(StoreError::from)?;
        Ok(value)
    }

    /// Runs `f` in one read transaction, so that what it reads is consistent.
    pub fn read<T, E>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(StoreError::from)?;
        f(&Tx(tx))
    }
}

impl Tx<'_> {
    /// Runs `f` in a savepoint: if it fails, what it wrote is undone and the transaction goes
    /// on without it.
    pub fn savepoint<T>(
        &self,
        f: impl FnOnce(&Tx<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.0.execute_batch("SAVEPOINT part")?;
        match f(self) {
            Ok(value) => {
                self.0.execute_batch("RELEASE part")?;
                Ok(value)
            }
            Err(e) => {
                self.0.execute_batch("ROLLBACK TO part; RELEASE part")?;
                Err(e)
            }
        }
    }
}

/// Reads column `idx` as text and parses it, reporting a value that does not parse as damage.
fn parse_col<T, E>(
    row: &rusqlite::Row<'_>,
    idx: usize,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> rusqlite::Result<T>
where
    E: std::fmt::Display,
{
    let text: String = row.get(idx)?;
    parse(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("{e} (column {idx})").into(),
        )
    })
}

/// Parses a snake_case enum name as serde names it (for enums whose database text is their JSON
/// name).
fn enum_name<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::{Store, StoreError};
    use crate::domain::{Tenant, TenantId};

    fn tenant(id: &str) -> Tenant {
        Tenant {
            id: TenantId::parse(id).unwrap(),
            org_id: format!("org-{id}"),
            company: format!("Company {id}"),
        }
    }

    #[test]
    fn a_failed_savepoint_is_undone_alone_and_the_rest_commits() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("desk.sqlite3");
        let now = Timestamp::now();
        let mut store = Store::open(&db).unwrap();
        let results = store
            .write(|tx| {
                let first = tx.savepoint(|tx| tx.insert_tenant(&tenant("acme"), now));
                // Writes one tenant, then fails on a duplicate: neither may stay.
                let failed = tx.savepoint(|tx| {
                    tx.insert_tenant(&tenant("globex"), now)?;
                    tx.insert_tenant(&tenant("acme"), now)
                });
                let last = tx.savepoint(|tx| tx.insert_tenant(&tenant("initech"), now));
                Ok::<_, StoreError>((first, failed, last))
            })
            .unwrap();
        assert!(results.0.is_ok() && results.2.is_ok());
        assert!(matches!(results.1, Err(StoreError::DuplicateTenant(_))));
        drop(store);
        let ids: Vec<String> = Store::open(&db)
            .unwrap()
            .read(|tx| tx.tenants())
            .unwrap()
            .into_iter()
            .map(|t| t.id.to_string())
            .collect();
        assert_eq!(ids, ["acme", "initech"]);
    }
}
