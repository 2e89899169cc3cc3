//! Write-through of the simulator's state to SQLite, so that a restarted simulator keeps it.
//!
//! Each row holds one ticket, one idempotency record or the id counters as JSON: the simulator
//! only ever loads everything at start and upserts what a request changed.

use std::path::{Path, PathBuf};

use rusqlite::types::FromSql;
use rusqlite::{Connection, params};

use crate::model::SimTicket;
use crate::state::{Counters, IdempotencyRecord};

/// The state file could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// SQLite failed on the state file.
    #[error("state file {path}: {source}")]
    Sqlite {
        /// The state file.
        path: PathBuf,
        /// What SQLite reported.
        source: rusqlite::Error,
    },
    /// A row of the state file could not be turned from or into JSON.
    #[error("state file {path}: bad row: {source}")]
    Json {
        /// The state file.
        path: PathBuf,
        /// What serde_json reported.
        source: serde_json::Error,
    },
}

/// Everything a state file holds.
#[derive(Default)]
pub(crate) struct Snapshot {
    /// Tickets with their sequence numbers, oldest first.
    pub tickets: Vec<(u64, SimTicket)>,
    pub idempotency: Vec<(String, IdempotencyRecord)>,
    pub counters: Counters,
}

/// What one request changed, to be written in one transaction.
pub(crate) struct Change<'a> {
    pub ticket: Option<(u64, &'a SimTicket)>,
    pub record: Option<(&'a str, &'a IdempotencyRecord)>,
    pub counters: &'a Counters,
}

/// An open state file.
pub(crate) struct Db {
    conn: Connection,
    path: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tickets (seq INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
";

impl Db {
    /// Opens (creating if needed) the state file.
    pub fn open(path: &Path) -> Result<Self, StateError> {
        let db = Self {
            conn: Connection::open(path).map_err(|source| StateError::Sqlite {
                path: path.to_owned(),
                source,
            })?,
            path: path.to_owned(),
        };
        db.conn.execute_batch(SCHEMA).map_err(|e| db.sqlite(e))?;
        Ok(db)
    }

    /// Reads the whole state.
    pub fn load(&self) -> Result<Snapshot, StateError> {
        let tickets = self
            .rows::<u64>("SELECT seq, json FROM tickets ORDER BY seq")?
            .into_iter()
            .map(|(seq, json)| Ok((seq, self.parse(&json)?)))
            .collect::<Result<_, StateError>>()?;
        let idempotency = self
            .rows::<String>("SELECT key, json FROM idempotency")?
            .into_iter()
            .map(|(key, json)| Ok((key, self.parse(&json)?)))
            .collect::<Result<_, StateError>>()?;
        let counters = match self.rows::<u64>("SELECT id, json FROM counters")?.first() {
            Some((_, json)) => self.parse(json)?,
            None => Counters::default(),
        };
        Ok(Snapshot {
            tickets,
            idempotency,
            counters,
        })
    }

    /// Writes what one request changed, atomically.
    pub fn save(&mut self, change: &Change<'_>) -> Result<(), StateError> {
        let path = &self.path;
        let tx = self.conn.transaction().map_err(|e| sqlite(path, e))?;
        if let Some((seq, ticket)) = change.ticket {
            tx.execute(
                "INSERT OR REPLACE INTO tickets (seq, json) VALUES (?1, ?2)",
                params![seq, to_json(path, ticket)?],
            )
            .map_err(|e| sqlite(path, e))?;
        }
        if let Some((key, record)) = change.record {
            tx.execute(
                "INSERT OR REPLACE INTO idempotency (key, json) VALUES (?1, ?2)",
                params![key, to_json(path, record)?],
            )
            .map_err(|e| sqlite(path, e))?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO counters (id, json) VALUES (1, ?1)",
            params![to_json(path, change.counters)?],
        )
        .map_err(|e| sqlite(path, e))?;
        tx.commit().map_err(|e| sqlite(path, e))
    }

    /// Forgets everything.
    pub fn clear(&mut self) -> Result<(), StateError> {
        self.conn
            .execute_batch("DELETE FROM tickets; DELETE FROM idempotency; DELETE FROM counters;")
            .map_err(|e| self.sqlite(e))
    }

    /// Runs a query whose rows are `(key, json)`.
    fn rows<K: FromSql>(&self, sql: &str) -> Result<Vec<(K, String)>, StateError> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.sqlite(e))?;
        let rows = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(|e| self.sqlite(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sqlite(e))
    }

    fn parse<T: serde::de::DeserializeOwned>(&self, json: &str) -> Result<T, StateError> {
        serde_json::from_str(json).map_err(|source| StateError::Json {
            path: self.path.clone(),
            source,
        })
    }

    fn sqlite(&self, source: rusqlite::Error) -> StateError {
        sqlite(&self.path, source)
    }
}

fn sqlite(path: &Path, source: rusqlite::Error) -> StateError {
    StateError::Sqlite {
        path: path.to_owned(),
        source,
    }
}

fn to_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<String, StateError> {
    serde_json::to_string(value).map_err(|source| StateError::Json {
        path: path.to_owned(),
        source,
    })
}
