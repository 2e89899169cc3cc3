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

const COLUMNS: &str = "id, incident_id, note_id, payload, idempotency_key, state, attempts, \
    next_attempt_at, last_error, outcome, created_at, completed_at";

impl Tx<'_> {
    /// Queues `write` for `incident`, with a fresh idempotency key fixed from now on.
    pub fn enqueue(
        &self,
        incident: IncidentId,
        note: Option<NoteId>,
        write: &PsaWrite,
        now: Timestamp,
    ) -> Result<OutboxItem, StoreError> {
        let payload = serde_json::to_string(write)
            .map_err(|e| StoreError::Damaged(format!("cannot encode a PSA write: {e}")))?;
        self.0.execute(
            "INSERT INTO outbox (incident_id, kind, note_id, payload, idempotency_key, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                incident.0,
                write.kind().as_str(),
                note.map(|n| n.0),
                payload,
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

fn item_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxItem> {
    let write: PsaWrite = parse_col(r, 3, |s| serde_json::from_str(s))?;
    Ok(OutboxItem {
        id: r.get(0)?,
        incident_id: IncidentId(r.get(1)?),
        kind: write.kind(),
        note_id: r.get::<_, Option<i64>>(2)?.map(NoteId),
        write,
        idempotency_key: r.get(4)?,
        state: parse_col(r, 5, str::parse)?,
        attempts: r.get(6)?,
        next_attempt_at: r.get(7)?,
        last_error: r.get(8)?,
        outcome: r.get(9)?,
        created_at: r.get(10)?,
        completed_at: r.get(11)?,
    })
}
