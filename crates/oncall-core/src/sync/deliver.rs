//! Sending one outbox item to The One PSA.

use crate::{
    domain::PsaWrite,
    psa::{OnePsaClient, PsaError, TicketStatus},
    store::{Delivered, OutboxItem},
};

/// What the PSA did with a write.
pub(super) struct Outcome {
    pub delivered: Delivered,
    pub summary: String,
}

/// The reply that means a ticket was already closed by hand.
const ALREADY_CLOSED: &str = "already_closed";

/// Sends `item` to the ticket `ticket` (the incident's, when it has one yet).
pub(super) async fn deliver(
    client: &OnePsaClient,
    item: &OutboxItem,
    ticket: Option<&str>,
) -> Result<Outcome, PsaError> {
    let key = item.idempotency_key.as_str();
    let no_ticket = || PsaError::Invalid {
        message: "the incident has no PSA ticket to write to: it must be linked to one".into(),
        field: None,
    };
    match &item.write {
        PsaWrite::CreateTicket(req) => match client.create_ticket(req, key).await {
            Ok(created) => Ok(Outcome {
                summary: format!("created PSA ticket {}", created.id),
                delivered: Delivered::Ticket(created.id),
            }),
            // Without the id nothing can follow, and a replay would repeat the same answer.
            Err(PsaError::Incomplete(e)) => Err(PsaError::Incomplete(format!(
                "{e}; the ticket was probably created: find it in the PSA and link it to the \
                 incident"
            ))),
            Err(e) => Err(e),
        },
        PsaWrite::AddNote(req) => {
            let ticket = ticket.ok_or_else(no_ticket)?;
            match client.add_note(ticket, req, key).await {
                Ok(id) => Ok(Outcome {
                    summary: format!("added as note {id} to PSA ticket {ticket}"),
                    delivered: Delivered::Note(id),
                }),
                Err(PsaError::Incomplete(e)) => Ok(accepted_without_id("note", ticket, &e)),
                Err(e) => Err(e),
            }
        }
        PsaWrite::AddTimeEntry(req) => {
            let ticket = ticket.ok_or_else(no_ticket)?;
            match client.add_time_entry(ticket, req, key).await {
                Ok(id) => Ok(Outcome {
                    summary: format!(
                        "logged {} minutes as {id} on PSA ticket {ticket}",
                        req.minutes
                    ),
                    delivered: Delivered::TimeEntry(id),
                }),
                Err(PsaError::Incomplete(e)) => Ok(accepted_without_id("time entry", ticket, &e)),
                Err(e) => Err(e),
            }
        }
        PsaWrite::Resolve(req) => {
            let ticket = ticket.ok_or_else(no_ticket)?;
            let closed_by_hand = Outcome {
                summary: format!(
                    "PSA ticket {ticket} was already closed in the PSA; no duplicate action taken"
                ),
                delivered: Delivered::Nothing,
            };
            let resolved = Outcome {
                summary: format!("resolved PSA ticket {ticket}"),
                delivered: Delivered::Nothing,
            };
            // The seed: a ticket resolved by hand in the PSA gets no duplicate action. A ticket
            // that carries our own resolution was resolved by an earlier attempt whose answer
            // was lost.
            let current = client.ticket(ticket).await?;
            if current.status == TicketStatus::Completed {
                return Ok(if current.resolution.as_ref() == Some(req) {
                    resolved
                } else {
                    closed_by_hand
                });
            }
            match client.resolve(ticket, req, key).await {
                Ok(()) => Ok(resolved),
                Err(PsaError::Conflict(reason)) if reason == ALREADY_CLOSED => Ok(closed_by_hand),
                Err(e) => Err(e),
            }
        }
    }
}

/// A note or time entry the PSA accepted (a success answer in JSON) without an id we can read:
/// it is in the PSA, and sending it again under its key would only replay the same answer.
fn accepted_without_id(what: &str, ticket: &str, why: &str) -> Outcome {
    Outcome {
        summary: format!(
            "accepted by PSA ticket {ticket}, but the PSA's answer named no {what} id ({why})"
        ),
        delivered: Delivered::Nothing,
    }
}
