//! Note drafts, the change feed's log and the sync log: what the desktop app reads besides the
//! incidents themselves. The two logs are written by triggers (migration 0004), so every
//! connection of every process feeds them alike.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use super::{StoreError, Tx, enum_name, parse_col};
use crate::{
    domain::IncidentId,
    view::{Changed, SyncLogEntry},
};

/// Longest draft kept, in bytes: a little over a note's limit, so that an over-long note being
/// typed is still saved whole and the limit is explained when it is posted.
const DRAFT_MAX: usize = crate::domain::NOTE_MAX_BYTES * 2;

impl Tx<'_> {
    /// The note being typed on an incident, if any.
    pub fn draft(&self, incident: IncidentId) -> Result<Option<String>, StoreError> {
        Ok(self
            .0
            .query_row(
                "SELECT body FROM drafts WHERE incident_id = ?1",
                [incident.0],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Saves the note being typed (an empty one removes the draft).
    pub fn save_draft(
        &self,
        incident: IncidentId,
        body: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if body.is_empty() {
            return self.clear_draft(incident);
        }
        if body.len() > DRAFT_MAX {
            return Err(StoreError::TooLarge {
                what: "note draft",
                max: DRAFT_MAX,
            });
        }
        self.incident(incident)?;
        self.0.execute(
            "INSERT INTO drafts (incident_id, body, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (incident_id) DO UPDATE SET body = ?2, updated_at = ?3",
            params![incident.0, body, now],
        )?;
        Ok(())
    }

    /// Forgets an incident's draft (it was posted).
    pub fn clear_draft(&self, incident: IncidentId) -> Result<(), StoreError> {
        self.0
            .execute("DELETE FROM drafts WHERE incident_id = ?1", [incident.0])?;
        Ok(())
    }

    /// The newest position in the change log (0 when empty).
    pub fn change_seq(&self) -> Result<i64, StoreError> {
        Ok(self
            .0
            .query_row("SELECT coalesce(max(seq), 0) FROM change_log", [], |r| {
                r.get(0)
            })?)
    }

    /// What changed after position `since`, and the newest position.
    pub fn changes_since(&self, since: i64) -> Result<(Changed, i64), StoreError> {
        let (oldest, newest): (Option<i64>, Option<i64>) =
            self.0
                .query_row("SELECT min(seq), max(seq) FROM change_log", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
        let newest = newest.unwrap_or(since).max(since);
        // Rows trimmed before they were read: say that everything may have changed.
        if oldest.is_some_and(|o| o > since + 1) {
            let all = Changed {
                incidents: Vec::new(),
                all: true,
            };
            return Ok((all, newest));
        }
        let mut stmt = self.0.prepare_cached(
            "SELECT DISTINCT incident_id FROM change_log WHERE seq > ?1 ORDER BY incident_id",
        )?;
        let incidents = stmt
            .query_map([since], |r| Ok(IncidentId(r.get(0)?)))?
            .collect::<Result<_, _>>()?;
        Ok((
            Changed {
                incidents,
                all: false,
            },
            newest,
        ))
    }

    /// The newest `limit` lines of the sync log, newest first; `after` keeps only lines
    /// after that id.
    pub fn sync_log(&self, after: i64, limit: u32) -> Result<Vec<SyncLogEntry>, StoreError> {
        let mut stmt = self.0.prepare_cached(
            "SELECT id, outbox_id, incident_id, kind, at, result, message FROM sync_log
             WHERE id > ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit], |r| {
            Ok(SyncLogEntry {
                id: r.get(0)?,
                outbox_id: r.get(1)?,
                incident_id: IncidentId(r.get(2)?),
                kind: parse_col(r, 3, enum_name)?,
                at: r.get(4)?,
                result: parse_col(r, 5, enum_name)?,
                message: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
