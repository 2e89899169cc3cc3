//! Read models for a front end: what the desktop app's screens show, shaped so that one query
//! answers one screen. Every type that crosses to the UI derives `TS`, and the TypeScript the UI
//! imports is generated from these types ([`typescript`]), never typed twice.

mod app;
pub mod typescript;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use app::{
    AppInfo, ResolvePreview, SettingsInput, SettingsView, StepState, TenantInput, TenantView,
    TimeInput, WizardStepView,
};

use crate::domain::{IncidentId, NoteId, OutboxState, PsaWriteKind, Severity, Status};

/// Where a PSA write (or what it carries: a ticket, a note, a time entry) stands, at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Never goes to the PSA (written before acknowledgement, or no PSA configured).
    Local,
    /// Queued: goes out when the PSA is reachable.
    Waiting,
    /// The PSA has it.
    Synced,
    /// The PSA refused it; a person must fix the cause and retry.
    Refused,
}

impl SyncState {
    /// The state of a thing whose PSA write is in `state`.
    pub fn of(state: OutboxState) -> Self {
        match state {
            OutboxState::Pending => Self::Waiting,
            OutboxState::Done => Self::Synced,
            OutboxState::Refused => Self::Refused,
            OutboxState::Cancelled => Self::Local,
        }
    }
}

/// Which incidents a list shows, and which page of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IncidentQuery {
    /// Only those in this state.
    pub status: Option<Status>,
    /// Only those of this severity.
    pub severity: Option<Severity>,
    /// Only those of this tenant.
    pub tenant_id: Option<String>,
    /// Words to find in titles, descriptions, device names and notes (prefixes match), or an
    /// incident or PSA ticket id.
    pub search: Option<String>,
    /// How many rows to skip (newest first).
    pub offset: u32,
    /// How many rows at most.
    pub limit: u32,
}

/// One line of the incident list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IncidentRow {
    /// Local id.
    pub id: IncidentId,
    /// Title.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// Where it is in its life.
    pub status: Status,
    /// Its tenant.
    pub tenant_id: String,
    /// The tenant's company name.
    pub company: String,
    /// When it was raised.
    pub created_at: Timestamp,
    /// Its PSA ticket, if any.
    pub psa_ticket_id: Option<String>,
    /// Where its PSA writes stand, the worst first.
    pub sync: SyncState,
}

/// A page of the incident list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IncidentPage {
    /// How many incidents match the query in all.
    pub total: u32,
    /// The rows of this page.
    pub rows: Vec<IncidentRow>,
}

/// A note with where it stands with the PSA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct NoteView {
    /// Local id.
    pub id: NoteId,
    /// Who wrote it.
    pub author: String,
    /// What they wrote (shown as text, never as HTML).
    pub body: String,
    /// When.
    pub created_at: Timestamp,
    /// Local only, waiting, in the PSA, or refused.
    pub sync: SyncState,
    /// The PSA's reason for refusing it, or the last failure while it waits.
    pub sync_error: Option<String>,
    /// Its PSA write, to retry a refused one.
    pub outbox_id: Option<i64>,
}

/// A technician's work timer on an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TimerView {
    /// Whose timer.
    pub technician: String,
    /// Whether it runs now.
    pub running: bool,
    /// When the current stretch started, while running.
    pub running_since: Option<Timestamp>,
    /// Seconds worked up to the moment it was read, pauses excluded.
    pub worked_seconds: i64,
}

/// A time entry with where it stands with the PSA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TimeEntryView {
    /// Local id.
    pub id: i64,
    /// Who worked.
    pub technician: String,
    /// When the work started.
    pub started_at: Timestamp,
    /// When it ended.
    pub ended_at: Timestamp,
    /// Billed minutes.
    pub minutes: i64,
    /// Billable or not.
    pub billable: bool,
    /// e.g. Remote Support.
    pub work_type: String,
    /// What was done.
    pub note: String,
    /// Local only (held, or waiting for a ticket), waiting, in the PSA, or refused.
    pub sync: SyncState,
    /// Why, in words, when it is not simply sent.
    pub sync_note: Option<String>,
    /// Whether it may still be changed or deleted here.
    pub editable: bool,
    /// Held because its timer ran past the limit: sent once a person confirms it.
    pub held: bool,
}

/// Everything the incident screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IncidentView {
    /// The incident.
    pub incident: crate::domain::Incident,
    /// Its tenant's company.
    pub company: String,
    /// Where its ticket creation stands (local when it has none to create).
    pub ticket_sync: SyncState,
    /// Why the ticket creation waits or was refused.
    pub ticket_error: Option<String>,
    /// What became of a ticket creation replaced by a ticket linked by hand, if anything.
    pub ticket_note: Option<String>,
    /// Its notes, oldest first.
    pub notes: Vec<NoteView>,
    /// The timers on it.
    pub timers: Vec<TimerView>,
    /// The time logged on it.
    pub time_entries: Vec<TimeEntryView>,
    /// The note being typed, saved as it was typed.
    pub draft: Option<String>,
    /// Its PSA writes other than notes (ticket, resolution, time), each with its state, for a
    /// retry button on a refused one.
    pub writes: Vec<WriteView>,
}

/// One PSA write of an incident, as the detail and the sync log show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct WriteView {
    /// The outbox item.
    pub outbox_id: i64,
    /// What it is.
    pub kind: PsaWriteKind,
    /// Where it stands.
    pub sync: SyncState,
    /// Attempts so far.
    pub attempts: i64,
    /// The last failure, or what became of it.
    pub message: Option<String>,
}

/// What one delivery attempt came to, for the sync log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AttemptResult {
    /// The PSA has it.
    Delivered,
    /// It failed for now and will be tried again.
    Retry,
    /// The PSA refused it.
    Refused,
}

/// One line of the sync log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SyncLogEntry {
    /// Position in the log (newest is highest).
    pub id: i64,
    /// The write.
    pub outbox_id: i64,
    /// Its incident.
    pub incident_id: IncidentId,
    /// What it was.
    pub kind: PsaWriteKind,
    /// When the attempt ended.
    pub at: Timestamp,
    /// What it came to.
    pub result: AttemptResult,
    /// The PSA's answer or the failure, in words.
    pub message: String,
}

/// Which incidents changed since the last look, from any process.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct Changed {
    /// The incidents that changed (their rows, notes, time or PSA writes).
    pub incidents: Vec<IncidentId>,
    /// Too much changed to say what: reload everything shown.
    pub all: bool,
}

/// Whether the PSA can be reached, as the status bar shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PsaState {
    /// The last request reached it and was accepted.
    Online,
    /// It cannot be reached, or fails; writes wait and go out when it is back.
    Offline,
    /// No PSA is set up: acknowledging creates no ticket.
    NotConfigured,
    /// It refused the service key: nothing is sent until the key is entered again.
    KeyRefused,
}

/// The status bar: the PSA, the writes waiting or refused, the timers running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StatusBar {
    /// Whether the PSA can be reached.
    pub psa: PsaState,
    /// Writes waiting to go out.
    pub waiting: u32,
    /// Writes the PSA refused, waiting for a person.
    pub refused: u32,
    /// The last failure, in words.
    pub last_error: Option<String>,
    /// Work timers running.
    pub timers_running: u32,
}

/// An error as the UI receives it from a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UiError {
    /// A stable code the UI can act on.
    pub code: crate::problem::ErrorCode,
    /// What happened, in a sentence.
    pub message: String,
    /// What to do about it, worded for the desktop user.
    pub fix: Option<String>,
}
