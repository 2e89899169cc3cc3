//! The incident domain: pure types and rules, no IO. Every function that needs the time takes it.

mod error;
mod incident;
mod note;
mod outbox;
mod severity;
mod tenant;
mod text;
mod ticket;
mod time;

pub use error::DomainError;
#[cfg(test)]
pub(crate) use incident::sample_incident;
pub use incident::{DefendDetails, Incident, IncidentId, NewIncident, Status, ValidIncident};
pub use note::{NOTE_MAX_BYTES, Note, NoteId, validate_note};
pub use outbox::{OutboxState, PsaWrite, PsaWriteKind};
pub use severity::{Priority, Severity};
pub use tenant::{Tenant, TenantId};
pub use ticket::{NoteRequest, ResolutionRequest, SOURCE, TicketRequest, ticket_description};
pub use time::{
    EntrySource, ManualEntry, NewTimeEntry, Stretch, TimeEntry, TimeEntryRequest, TimePolicy,
    WorkTimer, round_up_minutes,
};
