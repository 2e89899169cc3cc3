use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use uuid::Uuid;

use super::{StoreError, Tx, parse_col};
use crate::domain::{IncidentId, NoteId, OutboxState, PsaWrite, PsaWriteKind};

/// One queued PSA write and where its delivery stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxItem {
    /// Position in the queue (global order; per incident it is the order of the actions).
    pub id: i64,
    /// The incident it belongs to.
    pub incident_id: IncidentId,
    /// What kind of write.
    pub kind: PsaWriteKind,
    /// The note, for a note write.
    pub note_id: Option<NoteId>,
    /// The time entry, for a time entry write.
    pub time_entry_id: Option<i64>,
    /// The request, as frozen when the technician acted.
    #[serde(skip)]
    pub write: PsaWrite,
    /// Sent with every attempt, so the PSA applies it once.
    pub idempotency_key: String,
    /// Delivery state.
    pub state: OutboxState,
    /// How many times it was sent.
    pub attempts: i64,
    /// Not before this instant (backoff).
    pub next_attempt_at: Option<Timestamp>,
    /// The last failure, in words.
    pub last_error: Option<String>,
    /// What happened when it completed (e.g. "ticket T-1001", "already closed in the PSA").
    pub outcome: Option<String>,
    /// When it was queued.
    pub created_at: Timestamp,
    /// When it completed.
    pub completed_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, incident_id, note_id, time_entry_id, payload, idempotency_key, state, attempts, \
    next_attempt_ms, last_error, outcome, created_at, completed_at";

impl Tx<'_> {
    /// Queues `write` for `incident`, with a fresh idempotency key fixed from now on.
    pub fn enqueue(
        &self,
        incident: IncidentId,
        subject: Subject,
        write: &PsaWrite,
        now: Timestamp,
    ) -> Result<OutboxItem, StoreError> {
        let (note, time_entry) = match subject {
            Subject::Incident => (None, None),
            Subject::Note(n) => (Some(n.0), None),
            Subject::TimeEntry(t) => (None, Some(t)),
        };
        self.0.execute(
            "INSERT INTO outbox (incident_id, kind, note_id, time_entry_id, payload,
                 idempotency_key, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                incident.0,
                write.kind().as_str(),
                note,
                time_entry,
                encode(write)?,
                Uuid::new_v4().to_string(),
                now
            ],
        )?;
        self.outbox_item(self.0.last_insert_rowid())
    }

    /// The outbox item with this id.
    pub fn outbox_item(&self, id: i64) -> Result<OutboxItem, StoreError> {
        self.0
            .query_row(
                &format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"),
                [id],
                item_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::Damaged(format!("outbox item {id} vanished")))
    }

    /// The outbox item of a time entry, if it was queued.
    pub fn time_entry_item(&self, entry: i64) -> Result<Option<OutboxItem>, StoreError> {
        Ok(self
            .0
            .query_row(
                &format!("SELECT {COLUMNS} FROM outbox WHERE time_entry_id = ?1"),
                [entry],
                item_row,
            )
            .optional()?)
    }

    /// Replaces the request of an item never sent (a corrected time entry).
    pub fn replace_unsent(&self, item: &OutboxItem, write: &PsaWrite) -> Result<(), StoreError> {
        self.0.execute(
            "UPDATE outbox SET payload = ?2 WHERE id = ?1 AND state = 'pending' AND attempts = 0",
            params![item.id, encode(write)?],
        )?;
        Ok(())
    }

    /// Removes an item never sent (a deleted time entry).
    pub fn remove_unsent(&self, item: &OutboxItem) -> Result<(), StoreError> {
        self.0.execute(
            "DELETE FROM outbox WHERE id = ?1 AND state = 'pending' AND attempts = 0",
            [item.id],
        )?;
        Ok(())
    }

    /// Every outbox item of an incident, in order.
    pub fn outbox(&self, incident: IncidentId) -> Result<Vec<OutboxItem>, StoreError> {
        let mut stmt = self.0.prepare(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE incident_id = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map([incident.0], item_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Cancels an incident's ticket creation that has not completed (a ticket linked by hand
    /// replaces it); returns how many were cancelled.
    pub fn cancel_ticket_creation(
        &self,
        incident: IncidentId,
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        Ok(self.0.execute(
            "UPDATE outbox SET state = 'cancelled', completed_at = ?2,
                 outcome = 'replaced by a ticket linked by hand'
             WHERE incident_id = ?1 AND kind = 'create_ticket' AND state IN ('pending', 'failed')",
            params![incident.0, now],
        )?)
    }
}

/// What an outbox item is about, besides its incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The incident itself (its ticket, its resolution).
    Incident,
    /// A note.
    Note(NoteId),
    /// A time entry.
    TimeEntry(i64),
}

fn encode(write: &PsaWrite) -> Result<String, StoreError> {
    serde_json::to_string(write)
        .map_err(|e| StoreError::Damaged(format!("cannot encode a PSA write: {e}")))
}

/// How many outbox items are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OutboxCounts {
    /// Waiting to be sent.
    pub pending: u64,
    /// Parked until a person retries them.
    pub failed: u64,
    /// Delivered.
    pub done: u64,
}

/// How a delivered write changed local records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// The ticket was created with this id.
    Ticket(String),
    /// The note was added with this id.
    Note(String),
    /// The time entry was added with this id.
    TimeEntry(String),
    /// Nothing more to record (a resolution).
    Nothing,
}

impl Tx<'_> {
    /// The first open (pending or failed) item of each incident whose turn has come at `now`,
    /// oldest first, at most `limit`. An incident whose first open item is failed, or still
    /// backing off, has nothing due: its later items wait behind it.
    pub fn due_heads(&self, now: Timestamp, limit: usize) -> Result<Vec<OutboxItem>, StoreError> {
        let mut stmt = self.0.prepare(&format!(
            "SELECT {COLUMNS} FROM outbox
             WHERE id IN (SELECT min(id) FROM outbox WHERE state IN ('pending', 'failed')
                          GROUP BY incident_id)
               AND state = 'pending' AND coalesce(next_attempt_ms, 0) <= ?1
             ORDER BY id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![now.as_millisecond(), limit as i64], item_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The earliest instant at which an incident's first open item becomes due, if any is
    /// pending (items behind a parked one are not counted: they cannot go before it).
    pub fn next_due(&self) -> Result<Option<Timestamp>, StoreError> {
        let ms: Option<i64> = self.0.query_row(
            "SELECT min(coalesce(next_attempt_ms, 0)) FROM outbox
             WHERE id IN (SELECT min(id) FROM outbox WHERE state IN ('pending', 'failed')
                          GROUP BY incident_id)
               AND state = 'pending'",
            [],
            |r| r.get(0),
        )?;
        Ok(ms.and_then(|ms| Timestamp::from_millisecond(ms).ok()))
    }

    /// The first open item of one incident, if any.
    pub fn open_head(&self, incident: IncidentId) -> Result<Option<OutboxItem>, StoreError> {
        Ok(self
            .0
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM outbox
                     WHERE incident_id = ?1 AND state IN ('pending', 'failed')
                     ORDER BY id LIMIT 1"
                ),
                [incident.0],
                item_row,
            )
            .optional()?)
    }

    /// Records a delivered write: marks it done and stores the PSA's ids, in this one
    /// transaction. Returns false when the item was no longer pending (cancelled meanwhile).
    pub fn mark_done(
        &self,
        item: &OutboxItem,
        delivered: &Delivered,
        outcome: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let changed = self.0.execute(
            "UPDATE outbox SET state = 'done', attempts = attempts + 1, outcome = ?2,
                 completed_at = ?3, last_error = NULL, next_attempt_ms = NULL
             WHERE id = ?1 AND state = 'pending'",
            params![item.id, outcome, now],
        )?;
        if changed == 0 {
            return Ok(false);
        }
        match delivered {
            Delivered::Ticket(ticket) => {
                self.0.execute(
                    "UPDATE incidents SET psa_ticket_id = ?2 WHERE id = ?1 AND psa_ticket_id IS NULL",
                    params![item.incident_id.0, ticket],
                )?;
            }
            Delivered::Note(psa_note) => {
                if let Some(note) = item.note_id {
                    self.0.execute(
                        "UPDATE notes SET psa_note_id = ?2 WHERE id = ?1",
                        params![note.0, psa_note],
                    )?;
                }
            }
            Delivered::TimeEntry(psa_entry) => {
                if let Some(entry) = item.time_entry_id {
                    self.0.execute(
                        "UPDATE time_entries SET psa_time_entry_id = ?2 WHERE id = ?1",
                        params![entry, psa_entry],
                    )?;
                }
            }
            Delivered::Nothing => {}
        }
        Ok(true)
    }

    /// Schedules another attempt at `next` after a failure that may pass.
    pub fn retry_later(
        &self,
        item: &OutboxItem,
        error: &str,
        next: Timestamp,
        count_attempt: bool,
    ) -> Result<(), StoreError> {
        self.0.execute(
            "UPDATE outbox SET attempts = attempts + ?4, last_error = ?2, next_attempt_ms = ?3
             WHERE id = ?1 AND state = 'pending'",
            params![
                item.id,
                error,
                next.as_millisecond(),
                i64::from(count_attempt)
            ],
        )?;
        Ok(())
    }

    /// Parks an item the PSA refused for a reason a person must fix.
    pub fn park(&self, item: &OutboxItem, reason: &str) -> Result<(), StoreError> {
        self.0.execute(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2,
                 next_attempt_ms = NULL
             WHERE id = ?1 AND state = 'pending'",
            params![item.id, reason],
        )?;
        Ok(())
    }

    /// Puts parked items back in the queue (all, or one incident's); returns how many.
    pub fn retry_failed(&self, incident: Option<IncidentId>) -> Result<usize, StoreError> {
        Ok(self.0.execute(
            "UPDATE outbox SET state = 'pending', next_attempt_ms = NULL
             WHERE state = 'failed' AND (?1 IS NULL OR incident_id = ?1)",
            [incident.map(|i| i.0)],
        )?)
    }

    /// Makes an incident's writes that are backing off due now (a person just acted on it: a
    /// good moment to find the PSA back); returns how many.
    pub fn due_now(&self, incident: IncidentId) -> Result<usize, StoreError> {
        Ok(self.0.execute(
            "UPDATE outbox SET next_attempt_ms = NULL
             WHERE incident_id = ?1 AND state = 'pending' AND next_attempt_ms IS NOT NULL",
            [incident.0],
        )?)
    }

    /// Makes every write that is backing off due now; returns how many.
    pub fn all_due_now(&self) -> Result<usize, StoreError> {
        Ok(self.0.execute(
            "UPDATE outbox SET next_attempt_ms = NULL
             WHERE state = 'pending' AND next_attempt_ms IS NOT NULL",
            [],
        )?)
    }

    /// How many items are in each state.
    pub fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        let mut counts = OutboxCounts::default();
        let mut stmt = self
            .0
            .prepare("SELECT state, count(*) FROM outbox GROUP BY state")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let state: String = row.get(0)?;
            let n = row.get::<_, i64>(1)? as u64;
            match state.as_str() {
                "pending" => counts.pending = n,
                "failed" => counts.failed = n,
                "done" => counts.done = n,
                _ => {}
            }
        }
        Ok(counts)
    }

    /// The parked items, oldest first.
    pub fn failed_items(&self) -> Result<Vec<OutboxItem>, StoreError> {
        let mut stmt = self.0.prepare(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE state = 'failed' ORDER BY id"
        ))?;
        let rows = stmt.query_map([], item_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn item_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxItem> {
    let write: PsaWrite = parse_col(r, 4, |s| serde_json::from_str(s))?;
    Ok(OutboxItem {
        id: r.get(0)?,
        incident_id: IncidentId(r.get(1)?),
        kind: write.kind(),
        note_id: r.get::<_, Option<i64>>(2)?.map(NoteId),
        time_entry_id: r.get(3)?,
        write,
        idempotency_key: r.get(5)?,
        state: parse_col(r, 6, str::parse)?,
        attempts: r.get(7)?,
        next_attempt_at: r
            .get::<_, Option<i64>>(8)?
            .and_then(|ms| Timestamp::from_millisecond(ms).ok()),
        last_error: r.get(9)?,
        outcome: r.get(10)?,
        created_at: r.get(11)?,
        completed_at: r.get(12)?,
    })
}
