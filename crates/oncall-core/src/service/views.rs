//! What a front end's screens read: the incident list, the incident screen, drafts, the sync log.

use jiff::Timestamp;

use super::{Desk, DeskError, time};
use crate::{
    domain::{IncidentId, OutboxState, PsaWriteKind, round_up_minutes},
    store::{OutboxItem, StoreError, Tx},
    view::{
        Changed, IncidentPage, IncidentQuery, IncidentView, NoteView, ResolvePreview, SyncLogEntry,
        SyncState, TimeEntryView, TimerView, WriteView,
    },
};

impl Desk {
    /// One page of the incident list.
    pub fn incident_page(&mut self, query: &IncidentQuery) -> Result<IncidentPage, DeskError> {
        self.store
            .read(|tx| tx.incident_page(query).map_err(DeskError::from))
    }

    /// Everything the incident screen shows, as of now.
    pub fn incident_view(&mut self, id: IncidentId) -> Result<IncidentView, DeskError> {
        let now = self.clock.now();
        self.store
            .read(|tx| incident_view(tx, id, now).map_err(DeskError::from))
    }

    /// The time `tech`'s timer would log if they resolved now: the time worked, rounded up to
    /// the billing increment (what [`Desk::resolve_billing`] may then set by hand).
    pub fn resolve_preview(
        &mut self,
        id: IncidentId,
        tech: &str,
    ) -> Result<ResolvePreview, DeskError> {
        let now = self.clock.now();
        let increment = self.policy.increment_minutes;
        self.store.read(|tx| {
            tx.incident(id)?;
            let worked = tx
                .timer(id, tech.trim())?
                .map(|t| t.worked(now))
                .unwrap_or_default();
            Ok(ResolvePreview {
                minutes: round_up_minutes(worked, increment),
                increment_minutes: i64::from(increment),
                worked_seconds: worked.as_secs(),
            })
        })
    }

    /// Saves the note being typed on an incident; an empty one removes the draft.
    pub fn save_draft(&mut self, id: IncidentId, body: &str) -> Result<(), DeskError> {
        let now = self.clock.now();
        self.store
            .write(|tx| tx.save_draft(id, body, now).map_err(DeskError::from))
    }

    /// The newest `limit` lines of the sync log, newest first.
    pub fn sync_log(&mut self, limit: u32) -> Result<Vec<SyncLogEntry>, DeskError> {
        self.store
            .read(|tx| tx.sync_log(0, limit).map_err(DeskError::from))
    }

    /// Sync log lines after `after` (to notice new refusals).
    pub fn sync_log_after(&mut self, after: i64) -> Result<Vec<SyncLogEntry>, DeskError> {
        self.store
            .read(|tx| tx.sync_log(after, 100).map_err(DeskError::from))
    }

    /// The newest change log position.
    pub fn change_seq(&mut self) -> Result<i64, DeskError> {
        self.store
            .read(|tx| tx.change_seq().map_err(DeskError::from))
    }

    /// What changed after change log position `since`, and the newest position.
    pub fn changes_since(&mut self, since: i64) -> Result<(Changed, i64), DeskError> {
        self.store
            .read(|tx| tx.changes_since(since).map_err(DeskError::from))
    }

    /// Puts one refused write back in the queue, with a new idempotency key.
    pub fn retry_write(&mut self, outbox_id: i64) -> Result<OutboxItem, DeskError> {
        self.store.write(|tx| {
            let item = tx.outbox_item(outbox_id)?;
            tx.retry_refused(Some(item.incident_id))?;
            Ok(tx.outbox_item(outbox_id)?)
        })
    }

    /// Whether another connection committed since the last call (`PRAGMA data_version`).
    pub fn data_version(&mut self) -> Result<i64, DeskError> {
        Ok(self.store.data_version()?)
    }

    /// Makes every write that is backing off due now (the PSA is back).
    pub fn make_all_due(&mut self) -> Result<usize, DeskError> {
        self.store
            .write(|tx| tx.all_due_now().map_err(DeskError::from))
    }

    /// Makes an incident's writes that are backing off due now.
    pub fn make_due(&mut self, id: IncidentId) -> Result<usize, DeskError> {
        self.store
            .write(|tx| tx.due_now(id).map_err(DeskError::from))
    }
}

fn incident_view(tx: &Tx<'_>, id: IncidentId, now: Timestamp) -> Result<IncidentView, StoreError> {
    let incident = tx.incident(id)?;
    let company = tx.tenant(&incident.tenant_id)?.company;
    let outbox = tx.outbox(id)?;
    let ticket = outbox
        .iter()
        .rfind(|o| o.kind == PsaWriteKind::CreateTicket);
    let (ticket_sync, ticket_error) = match ticket {
        Some(o) if o.state != OutboxState::Cancelled => {
            (SyncState::of(o.state), o.last_error.clone())
        }
        _ if incident.psa_ticket_id.is_some() => (SyncState::Synced, None),
        _ => (SyncState::Local, None),
    };
    let ticket_note = ticket
        .filter(|o| o.state == OutboxState::Cancelled)
        .and_then(|o| o.outcome.clone());
    let notes = tx
        .notes(id)?
        .into_iter()
        .map(|note| {
            let item = outbox.iter().find(|o| o.note_id == Some(note.id));
            NoteView {
                id: note.id,
                author: note.author,
                body: note.body,
                created_at: note.created_at,
                sync: item.map_or(SyncState::Local, |o| SyncState::of(o.state)),
                sync_error: item.and_then(|o| o.last_error.clone()),
                outbox_id: item.map(|o| o.id),
            }
        })
        .collect();
    let timers = tx
        .incident_timers(id)?
        .into_iter()
        .map(|t| TimerView {
            running: t.is_running(),
            running_since: t.running_since,
            worked_seconds: t.worked(now).as_secs(),
            technician: t.technician,
        })
        .collect();
    let time_entries = time::entry_views(tx, id)?
        .into_iter()
        .map(|v| {
            let sync = match v.sync_state {
                "pending" => SyncState::Waiting,
                "done" => SyncState::Synced,
                "failed" | "refused" => SyncState::Refused,
                _ => SyncState::Local,
            };
            let e = v.entry.entry;
            TimeEntryView {
                id: v.entry.id,
                technician: e.technician,
                started_at: e.started_at,
                ended_at: e.ended_at,
                minutes: e.minutes,
                billable: e.billable,
                work_type: e.work_type,
                note: e.note,
                editable: v.entry.psa_time_entry_id.is_none() && sync != SyncState::Synced,
                held: v.sync_state == "held",
                sync,
                sync_note: v.sync_note,
            }
        })
        .collect();
    let writes = outbox
        .iter()
        .filter(|o| o.kind != PsaWriteKind::AddNote)
        .map(|o| WriteView {
            outbox_id: o.id,
            kind: o.kind,
            sync: SyncState::of(o.state),
            attempts: o.attempts,
            message: o.last_error.clone().or_else(|| o.outcome.clone()),
        })
        .collect();
    Ok(IncidentView {
        draft: tx.draft(id)?,
        incident,
        company,
        ticket_sync,
        ticket_error,
        ticket_note,
        notes,
        timers,
        time_entries,
        writes,
    })
}
