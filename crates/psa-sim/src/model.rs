//! The tickets the simulator holds, as they appear on the wire.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where a ticket is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TicketStatus {
    /// Created, nothing added yet.
    New,
    /// At least one note was added.
    #[serde(rename = "In Progress")]
    InProgress,
    /// Resolved by the app, or closed by hand.
    Completed,
}

impl TicketStatus {
    /// The status as the One PSA API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "New",
            Self::InProgress => "In Progress",
            Self::Completed => "Completed",
        }
    }
}

/// A ticket as `GET /api/v1/tickets/{id}` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    /// The ticket id, `T-<n>` with `n` counting from 1001.
    pub id: String,
    /// The ticket title.
    pub title: String,
    /// The ticket description.
    pub description: String,
    /// Who opened it, e.g. `On-Call Auto`.
    pub source: String,
    /// `P1`..`P4`.
    pub priority: String,
    /// The tenant the ticket belongs to.
    pub tenant_id: String,
    /// The client company the tenant maps to.
    pub company: String,
    /// The organisation id the client sent, as sent.
    pub org_id: Option<serde_json::Value>,
    /// The technician the ticket is assigned to.
    pub assigned_tech: Option<String>,
    /// When the ticket was opened, RFC 3339 as sent.
    pub created_at: String,
    /// The client's own id for what the ticket tracks.
    pub external_ref: Option<String>,
    /// Where the ticket is in its life.
    pub status: TicketStatus,
    /// Notes, oldest first.
    pub notes: Vec<Note>,
    /// How the ticket was resolved; `None` while open or when closed by hand.
    pub resolution: Option<Resolution>,
    /// Time logged on the ticket, oldest first.
    pub time_entries: Vec<TimeEntry>,
}

/// A note on a ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// The note id, `N-<n>`.
    pub id: String,
    /// The note text.
    pub body: String,
    /// Whether the note is internal (not shown to the client).
    pub internal: bool,
    /// Who wrote it.
    pub author: String,
    /// When it was written, RFC 3339 as sent.
    pub created_at: String,
    /// The client's own id for the note.
    pub external_ref: Option<String>,
}

/// How a ticket was resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// When it was resolved, RFC 3339 as sent.
    pub resolved_at: String,
    /// Who resolved it.
    pub resolved_by: String,
    /// The resolution summary, if any.
    pub summary: Option<String>,
}

/// Time logged on a ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeEntry {
    /// The time entry id, `TE-<n>`.
    pub id: String,
    /// When the work started, RFC 3339 as sent.
    pub started_at: String,
    /// When the work ended, RFC 3339 as sent.
    pub ended_at: String,
    /// Billed minutes, a positive whole number.
    pub minutes: u64,
    /// Whether the time is billable.
    pub billable: bool,
    /// A short label such as `Remote Support`.
    pub work_type: String,
    /// What was done.
    pub note: Option<String>,
    /// Who did the work.
    pub technician: String,
    /// The client's own id for the entry.
    pub external_ref: Option<String>,
}

/// An element of `GET /_sim/tickets`: the ticket plus what the simulator counted about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimTicket {
    /// The ticket as the One PSA API returns it.
    #[serde(flatten)]
    pub ticket: Ticket,
    /// Write requests that reached this ticket, replays included.
    pub writes: u64,
    /// Write requests that changed this ticket.
    pub applied_writes: u64,
    /// For each `Idempotency-Key` seen on this ticket, how many requests carried it.
    pub idempotency_keys: BTreeMap<String, u64>,
    /// The `Idempotency-Key` of each write that changed this ticket, in the order applied: shows
    /// a client's writes arrived once each and in its order.
    #[serde(default)]
    pub applied_keys: Vec<String>,
}
