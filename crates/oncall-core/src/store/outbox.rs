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
    /// How many requests carried it.
    pub attempts: i64,
    /// Whether a request carrying it may have been applied by the PSA: set before each request
    /// leaves, cleared only by an answer that proves nothing was applied.
    pub may_be_in_psa: bool,
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

/// An item the PSA cannot have: no request carrying it may have been applied.
const UNSENT: &str = "state IN ('pending', 'refused') AND may_be_in_psa = 0";

/// How a write whose request left without an answer recorded is explained.
pub const AWAITING_ANSWER: &str = "sent, but the PSA's answer was not recorded (a timeout or an \
     interrupted sync): the PSA may have it; the next sync asks again under the same \
     idempotency key, so it is applied once";

impl OutboxItem {
    /// Whether a request carried it and no answer was recorded: the PSA may have it.
    pub fn answer_awaited(&self) -> bool {
        self.state == OutboxState::Pending && self.may_be_in_psa && self.last_error.is_none()
    }
}

const COLUMNS: &str = "id, incident_id, note_id, time_entry_id, payload, idempotency_key, state, attempts, \
    next_attempt_ms, last_error, outcome, created_at, completed_at, may_be_in_psa";

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

    /// Whether the PSA cannot have this item's write: no request ever carried it, or the PSA
    /// refused every one in a way that proves nothing was applied.
    pub fn is_unsent(&self, item: &OutboxItem) -> Result<bool, StoreError> {
        Ok(self
            .0
            .query_row(
                &format!("SELECT 1 FROM outbox WHERE id = ?1 AND ({UNSENT})"),
                [item.id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Replaces the request of an item the PSA cannot have (a corrected time entry); an item
    /// it may have is left alone.
    pub fn replace_unsent(&self, item: &OutboxItem, write: &PsaWrite) -> Result<(), StoreError> {
        self.0.execute(
            &format!("UPDATE outbox SET payload = ?2 WHERE id = ?1 AND ({UNSENT})"),
            params![item.id, encode(write)?],
        )?;
        Ok(())
    }

    /// Removes an item the PSA cannot have (a deleted time entry); an item it may have is left
    /// alone.
    pub fn remove_unsent(&self, item: &OutboxItem) -> Result<(), StoreError> {
        self.0.execute(
            &format!("DELETE FROM outbox WHERE id = ?1 AND ({UNSENT})"),
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

    /// Cancels what a ticket linked by hand replaces: the incident's ticket creation that has
    /// not completed, and the notes queued before the link (the seed: a linked ticket gets no
    /// past notes). Each cancelled item's outcome says why; a creation a request may already
    /// have carried says that the PSA may hold a duplicate ticket.
    pub fn replace_by_link(
        &self,
        incident: IncidentId,
        ticket: &str,
        now: Timestamp,
    ) -> Result<LinkReplaced, StoreError> {
        let mut replaced = LinkReplaced::default();
        let open = self.outbox(incident)?.into_iter().filter(|i| {
            i.kind == PsaWriteKind::CreateTicket
                && matches!(i.state, OutboxState::Pending | OutboxState::Refused)
        });
        for item in open.collect::<Vec<_>>() {
            let mut outcome = format!("replaced by PSA ticket {ticket}, linked by hand");
            if !self.is_unsent(&item)? {
                let title = match &item.write {
                    PsaWrite::CreateTicket(req) => req.title.as_str(),
                    _ => "",
                };
                let warning = format!(
                    "an earlier attempt may already have created a ticket in the PSA (its answer \
                     was not recorded): look for a duplicate ticket titled '{title}' and close it"
                );
                outcome = format!("{outcome}; {warning}");
                replaced.possible_duplicate = Some(warning);
            }
            self.cancel(&item, &outcome, now)?;
        }
        replaced.notes_not_sent = self.0.execute(
            "UPDATE outbox SET state = 'cancelled', completed_at = ?2, next_attempt_ms = NULL,
                 outcome = ?3
             WHERE incident_id = ?1 AND kind = 'add_note' AND state IN ('pending', 'refused')",
            params![
                incident.0,
                now,
                format!(
                    "written before PSA ticket {ticket} was linked by hand, and a linked ticket \
                     gets only the notes written after the link"
                )
            ],
        )?;
        Ok(replaced)
    }

    fn cancel(&self, item: &OutboxItem, outcome: &str, now: Timestamp) -> Result<(), StoreError> {
        self.0.execute(
            "UPDATE outbox SET state = 'cancelled', completed_at = ?2, next_attempt_ms = NULL,
                 outcome = ?3
             WHERE id = ?1",
            params![item.id, now, outcome],
        )?;
        Ok(())
    }
}

/// What a ticket linked by hand replaced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LinkReplaced {
    /// How many notes queued before the link will not be sent.
    pub notes_not_sent: usize,
    /// Set when a ticket creation may already have reached the PSA: what to check.
    pub possible_duplicate: Option<String>,
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
    /// Refused by the PSA, waiting for a person to fix the cause and retry.
    pub refused: u64,
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
    /// The first open (pending or refused) item of each incident whose turn has come at `now`,
    /// oldest first, at most `limit`. An incident whose first open item is refused, or still
    /// backing off, has nothing due: its later items wait behind it.
    pub fn due_heads(&self, now: Timestamp, limit: usize) -> Result<Vec<OutboxItem>, StoreError> {
        let mut stmt = self.0.prepare(&format!(
            "SELECT {COLUMNS} FROM outbox
             WHERE id IN (SELECT min(id) FROM outbox WHERE state IN ('pending', 'refused')
                          GROUP BY incident_id)
               AND state = 'pending' AND coalesce(next_attempt_ms, 0) <= ?1
             ORDER BY id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![now.as_millisecond(), limit as i64], item_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The earliest instant at which an incident's first open item becomes due, if any is
    /// pending (items behind a refused one are not counted: they cannot go before it).
    pub fn next_due(&self) -> Result<Option<Timestamp>, StoreError> {
        let ms: Option<i64> = self.0.query_row(
            "SELECT min(coalesce(next_attempt_ms, 0)) FROM outbox
             WHERE id IN (SELECT min(id) FROM outbox WHERE state IN ('pending', 'refused')
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
                     WHERE incident_id = ?1 AND state IN ('pending', 'refused')
                     ORDER BY id LIMIT 1"
                ),
                [incident.0],
                item_row,
            )
            .optional()?)
    }

    /// Counts a request about to carry `item`, before it leaves: from then on the PSA may have
    /// the write whatever becomes of the answer. False when the item is no longer pending under
    /// the same key (cancelled, deleted or retried meanwhile): then nothing must be sent.
    pub fn begin_attempt(&self, item: &OutboxItem) -> Result<bool, StoreError> {
        Ok(self.0.execute(
            "UPDATE outbox SET attempts = attempts + 1, may_be_in_psa = 1
             WHERE id = ?1 AND idempotency_key = ?2 AND state = 'pending'",
            params![item.id, item.idempotency_key],
        )? == 1)
    }

    /// Records a delivered write: marks it done and stores the PSA's ids, in this one
    /// transaction. Returns false when the item was no longer pending under the key that was
    /// sent (cancelled meanwhile): an answer is only ever recorded on the row it answers.
    pub fn mark_done(
        &self,
        item: &OutboxItem,
        delivered: &Delivered,
        outcome: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let changed = self.0.execute(
            "UPDATE outbox SET state = 'done', outcome = ?2,
                 completed_at = ?3, last_error = NULL, next_attempt_ms = NULL
             WHERE id = ?1 AND idempotency_key = ?4 AND state = 'pending'",
            params![item.id, outcome, now, item.idempotency_key],
        )?;
        if changed == 0 {
            // Cancelled while the request was out (a ticket linked by hand): the answer must
            // not vanish, it may name a ticket nobody else knows about.
            self.0.execute(
                "UPDATE outbox SET outcome = outcome || '; the PSA answered afterwards: ' || ?2
                 WHERE id = ?1 AND idempotency_key = ?3 AND state = 'cancelled'",
                params![item.id, outcome, item.idempotency_key],
            )?;
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

    /// Schedules another attempt at `next` after a failure that may pass. `nothing_applied`
    /// says this attempt provably changed nothing: the item is then as it was before it
    /// (`item` is read before [`Tx::begin_attempt`]).
    pub fn retry_later(
        &self,
        item: &OutboxItem,
        error: &str,
        next: Timestamp,
        nothing_applied: bool,
    ) -> Result<(), StoreError> {
        self.0.execute(
            "UPDATE outbox SET last_error = ?2, next_attempt_ms = ?3,
                 may_be_in_psa = CASE WHEN ?5 THEN ?6 ELSE 1 END
             WHERE id = ?1 AND idempotency_key = ?4 AND state = 'pending'",
            params![
                item.id,
                error,
                next.as_millisecond(),
                item.idempotency_key,
                nothing_applied,
                item.may_be_in_psa
            ],
        )?;
        Ok(())
    }

    /// Marks an item refused by the PSA for a reason a person must fix. `nothing_applied`
    /// says the refusal proves no request under its key changed anything (a PSA replays a
    /// key's first answer), so a retry may use a new key.
    pub fn refuse(
        &self,
        item: &OutboxItem,
        reason: &str,
        nothing_applied: bool,
    ) -> Result<(), StoreError> {
        self.0.execute(
            "UPDATE outbox SET state = 'refused', last_error = ?2, next_attempt_ms = NULL,
                 may_be_in_psa = NOT ?3
             WHERE id = ?1 AND idempotency_key = ?4 AND state = 'pending'",
            params![item.id, reason, nothing_applied, item.idempotency_key],
        )?;
        Ok(())
    }

    /// Puts refused items back in the queue (all, or one incident's); returns how many. An
    /// item whose refusal proves nothing was applied goes out under a new idempotency key: a
    /// PSA that stores a refusal under its key would otherwise replay it forever. One that
    /// may have been applied keeps its key, so the PSA can still recognise it.
    pub fn retry_refused(&self, incident: Option<IncidentId>) -> Result<usize, StoreError> {
        let mut stmt = self.0.prepare(
            "SELECT id, may_be_in_psa FROM outbox
             WHERE state = 'refused' AND (?1 IS NULL OR incident_id = ?1)",
        )?;
        let items = stmt
            .query_map([incident.map(|i| i.0)], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        for (id, may_be_in_psa) in &items {
            self.0.execute(
                "UPDATE outbox SET state = 'pending', next_attempt_ms = NULL,
                     idempotency_key = CASE WHEN ?2 THEN idempotency_key ELSE ?3 END
                 WHERE id = ?1",
                params![id, may_be_in_psa, Uuid::new_v4().to_string()],
            )?;
        }
        Ok(items.len())
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
                "refused" => counts.refused = n,
                "done" => counts.done = n,
                _ => {}
            }
        }
        Ok(counts)
    }

    /// The refused items, oldest first.
    pub fn refused_items(&self) -> Result<Vec<OutboxItem>, StoreError> {
        let mut stmt = self.0.prepare(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE state = 'refused' ORDER BY id"
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
        may_be_in_psa: r.get(13)?,
    })
}
