//! Changing a time entry the PSA may already have. The API cannot change or remove a time
//! entry, so a change it may have seen is never made silently here: the entry stays as the PSA
//! has it, and a note on the ticket asks for the correction, visible to the technician and to
//! whoever bills the ticket.

use jiff::Timestamp;
use serde::Serialize;

use super::{Acted, DeskError};
use crate::{
    domain::{Incident, NewTimeEntry, Note, PsaWrite, TimeEntry},
    store::{Subject, Tx},
};

/// What correcting, deleting or confirming a time entry did.
#[derive(Debug, Clone, Serialize)]
pub struct TimeChange {
    /// The entry as it now stands (as it was, when the PSA may already have it).
    #[serde(flatten)]
    pub entry: TimeEntry,
    /// Whether the change was made here (false: the PSA may have the entry, see `correction`).
    pub changed: bool,
    /// The note asking for the correction on the PSA ticket, when the PSA may have the entry.
    pub correction: Option<Note>,
}

/// Applies `new` (or, when `None`, the deletion) to `entry` if the PSA cannot have it yet;
/// otherwise leaves it and queues a correction note for the ticket.
pub(super) fn change(
    tx: &Tx<'_>,
    incident: &Incident,
    mut entry: TimeEntry,
    new: Option<NewTimeEntry>,
    now: Timestamp,
) -> Result<Acted<TimeChange>, DeskError> {
    let item = tx.time_entry_item(entry.id)?;
    let in_psa = match (&entry.psa_time_entry_id, &item) {
        (Some(id), _) => Some(format!("PSA time entry {id}")),
        (None, Some(item)) if !tx.is_unsent(item)? => {
            Some("sent to the PSA, which may have it though its answer was not recorded".to_owned())
        }
        _ => None,
    };
    let Some(in_psa) = in_psa else {
        match new {
            Some(new) => {
                entry.entry = new;
                tx.update_time_entry(&entry)?;
                if let (Some(item), Some(w)) = (item, PsaWrite::on_time_entry(incident, &entry)) {
                    tx.replace_unsent(&item, &w)?;
                }
            }
            None => {
                if let Some(item) = item {
                    tx.remove_unsent(&item)?;
                }
                tx.delete_time_entry(entry.id)?;
            }
        }
        return Ok(Acted {
            value: TimeChange {
                entry,
                changed: true,
                correction: None,
            },
            queued: None,
        });
    };
    let wanted = match &new {
        Some(new) => format!("should read: {}", describe(new)),
        None => "should be removed: it was logged by mistake".to_owned(),
    };
    let body = format!(
        "Time correction: time entry {} ({in_psa}), {}, {wanted}. Please correct it in the PSA; \
         oncall-desk keeps the entry as sent.",
        entry.id,
        describe(&entry.entry)
    );
    let note = tx.insert_note(incident, &entry.entry.technician, &body, now)?;
    let queued = PsaWrite::on_note(incident, &note)
        .map(|w| tx.enqueue(incident.id, Subject::Note(note.id), &w, now))
        .transpose()?;
    Ok(Acted {
        value: TimeChange {
            entry,
            changed: false,
            correction: Some(note),
        },
        queued,
    })
}

/// `30 min Remote Support by Dana, 2026-11-25T09:00:00Z to 2026-11-25T09:30:00Z, billable`.
fn describe(e: &NewTimeEntry) -> String {
    format!(
        "{} min {} by {}, {} to {}, {}",
        e.minutes,
        e.work_type,
        e.technician,
        e.started_at,
        e.ended_at,
        if e.billable {
            "billable"
        } else {
            "not billable"
        }
    )
}
