//! What the PSA must learn of each user action: decided here, queued by the store in the same
//! transaction as the action, delivered later by the sync engine.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use super::{
    Incident, Note, NoteRequest, ResolutionRequest, Tenant, TicketRequest, TimeEntry,
    TimeEntryRequest,
};

/// One write the PSA must receive, frozen when the technician acted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PsaWrite {
    /// Create the incident's ticket.
    CreateTicket(TicketRequest),
    /// Append an internal note to the incident's ticket.
    AddNote(NoteRequest),
    /// Resolve the incident's ticket.
    Resolve(ResolutionRequest),
    /// Log time on the incident's ticket.
    AddTimeEntry(TimeEntryRequest),
}

/// The kind of a [`PsaWrite`], as stored and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PsaWriteKind {
    /// Ticket creation.
    CreateTicket,
    /// An internal note.
    AddNote,
    /// The resolution.
    Resolve,
    /// A time entry.
    AddTimeEntry,
}

impl PsaWrite {
    /// The ticket to create when `incident` has just been acknowledged, if it syncs to the PSA.
    pub fn on_acknowledge(incident: &Incident, tenant: &Tenant) -> Option<Self> {
        if !incident.syncs_to_psa || incident.psa_ticket_id.is_some() {
            return None;
        }
        TicketRequest::for_incident(incident, tenant).map(Self::CreateTicket)
    }

    /// The internal note for `note`, if it was written after acknowledgement of an incident that
    /// syncs to the PSA; earlier notes stay local.
    pub fn on_note(incident: &Incident, note: &Note) -> Option<Self> {
        (note.after_ack && incident.syncs_to_psa)
            .then(|| Self::AddNote(NoteRequest::for_note(note)))
    }

    /// The resolution of `incident`, if it syncs to the PSA.
    pub fn on_resolve(incident: &Incident) -> Option<Self> {
        if !incident.syncs_to_psa {
            return None;
        }
        ResolutionRequest::for_incident(incident).map(Self::Resolve)
    }

    /// The time entry for `entry`, once the incident has (or is getting) a ticket and the
    /// entry is not held for confirmation; until then it waits locally.
    pub fn on_time_entry(incident: &Incident, entry: &TimeEntry) -> Option<Self> {
        (incident.syncs_to_psa && entry.entry.held_reason.is_none())
            .then(|| Self::AddTimeEntry(TimeEntryRequest::for_entry(entry)))
    }

    /// Its kind.
    pub fn kind(&self) -> PsaWriteKind {
        match self {
            Self::CreateTicket(_) => PsaWriteKind::CreateTicket,
            Self::AddNote(_) => PsaWriteKind::AddNote,
            Self::Resolve(_) => PsaWriteKind::Resolve,
            Self::AddTimeEntry(_) => PsaWriteKind::AddTimeEntry,
        }
    }
}

impl PsaWriteKind {
    /// The snake_case name used in the database, logs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreateTicket => "create_ticket",
            Self::AddNote => "add_note",
            Self::Resolve => "resolve",
            Self::AddTimeEntry => "add_time_entry",
        }
    }
}

impl fmt::Display for PsaWriteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an outbox item is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting to be sent (or retried).
    Pending,
    /// The PSA has it.
    Done,
    /// The PSA refused it for a reason a person must fix; retried only by hand.
    Failed,
    /// Made moot by a later action (a ticket linked by hand replaces its creation).
    Cancelled,
}

impl OutboxState {
    /// The snake_case name used in the database and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

impl FromStr for OutboxState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Pending, Self::Done, Self::Failed, Self::Cancelled]
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown outbox state '{s}'"))
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::domain::{NoteId, sample_incident};

    fn tenant() -> Tenant {
        Tenant::new("acme", "org-42", "ACME Corp").expect("valid")
    }

    fn note(after_ack: bool) -> Note {
        Note {
            id: NoteId(1),
            incident_id: sample_incident().id,
            author: "Dana".into(),
            body: "b".into(),
            created_at: Timestamp::UNIX_EPOCH,
            after_ack,
            psa_note_id: None,
        }
    }

    #[test]
    fn a_configured_psa_gets_ticket_notes_after_ack_and_resolution() {
        let mut i = sample_incident();
        assert_eq!(PsaWrite::on_note(&i, &note(false)), None);
        i.acknowledge("Dana", Timestamp::UNIX_EPOCH, true)
            .expect("ack");
        let kinds: Vec<_> = [
            PsaWrite::on_acknowledge(&i, &tenant()),
            PsaWrite::on_note(&i, &note(true)),
        ]
        .into_iter()
        .flatten()
        .map(|w| w.kind())
        .collect();
        assert_eq!(kinds, [PsaWriteKind::CreateTicket, PsaWriteKind::AddNote]);
        i.resolve("Dana", None, Timestamp::UNIX_EPOCH)
            .expect("resolve");
        assert_eq!(
            PsaWrite::on_resolve(&i).map(|w| w.kind()),
            Some(PsaWriteKind::Resolve)
        );
    }

    #[test]
    fn an_unconfigured_psa_gets_nothing() {
        let mut i = sample_incident();
        i.acknowledge("Dana", Timestamp::UNIX_EPOCH, false)
            .expect("ack");
        assert_eq!(PsaWrite::on_acknowledge(&i, &tenant()), None);
        assert_eq!(PsaWrite::on_note(&i, &note(true)), None);
        i.resolve("Dana", None, Timestamp::UNIX_EPOCH)
            .expect("resolve");
        assert_eq!(PsaWrite::on_resolve(&i), None);
    }

    #[test]
    fn a_linked_ticket_gets_later_notes_but_no_creation() {
        let mut i = sample_incident();
        i.acknowledge("Dana", Timestamp::UNIX_EPOCH, false)
            .expect("ack");
        i.link("T-9").expect("link");
        assert_eq!(PsaWrite::on_acknowledge(&i, &tenant()), None);
        assert!(PsaWrite::on_note(&i, &note(true)).is_some());
    }

    #[test]
    fn payloads_round_trip_through_json() {
        let mut i = sample_incident();
        i.acknowledge("Dana", Timestamp::UNIX_EPOCH, true)
            .expect("ack");
        let w = PsaWrite::on_acknowledge(&i, &tenant()).expect("ticket");
        let back: PsaWrite =
            serde_json::from_str(&serde_json::to_string(&w).expect("json")).expect("parse");
        assert_eq!(back, w);
    }
}
