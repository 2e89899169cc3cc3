//! Printing results: JSON for scripts, short text for people.

use std::io::Write;

use anyhow::Result;
use oncall_core::{
    domain::{Incident, OutboxState, PsaWriteKind},
    service::IncidentDetail,
    store::{AWAITING_ANSWER, OutboxItem},
};
use serde::Serialize;

/// Where and how results are printed.
pub struct Out {
    json: bool,
}

impl Out {
    /// Prints JSON when `json`, text otherwise.
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    /// Prints `value` as JSON, or the text `human` makes of it.
    /// A closed pipe (`oncall ... | head`) is not an error: the reader had enough.
    pub fn print<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) -> Result<()> {
        let text = if self.json {
            serde_json::to_string_pretty(value)?
        } else {
            human()
        };
        match writeln!(std::io::stdout().lock(), "{text}") {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => Ok(other?),
        }
    }
}

/// One line per incident, for lists.
pub fn incident_line(i: &Incident) -> String {
    format!(
        "{:>5}  {:<8}  {:<12}  {:<12}  {}{}",
        i.id,
        i.severity,
        i.status,
        i.tenant_id,
        i.title,
        i.psa_ticket_id
            .as_ref()
            .map(|t| format!("  [PSA {t}]"))
            .unwrap_or_default()
    )
}

/// The full text view of one incident.
pub fn incident_text(d: &IncidentDetail) -> String {
    let i = &d.incident;
    let mut out = vec![
        format!("Incident {}: {}", i.id, i.title),
        format!("  tenant:   {}", i.tenant_id),
        format!("  severity: {} (PSA {})", i.severity, i.severity.priority()),
        format!("  status:   {}", i.status),
        format!("  created:  {}", i.created_at),
    ];
    if let (Some(at), Some(by)) = (&i.acknowledged_at, &i.acknowledged_by) {
        out.push(format!("  acknowledged: {at} by {by}"));
    }
    if let (Some(at), Some(by)) = (&i.resolved_at, &i.resolved_by) {
        out.push(format!("  resolved: {at} by {by}"));
    }
    if let Some(s) = &i.resolution_summary {
        out.push(format!("  summary:  {s}"));
    }
    out.push(format!(
        "  PSA ticket: {}",
        match (&i.psa_ticket_id, i.syncs_to_psa) {
            (Some(t), _) => t.clone(),
            (None, true) => "being created".into(),
            (None, false) => "none".into(),
        }
    ));
    if !i.description.is_empty() {
        out.push(String::new());
        out.push(i.description.clone());
    }
    if !d.notes.is_empty() {
        out.push(String::new());
        out.push("Notes:".into());
        for n in &d.notes {
            let item = d.outbox.iter().find(|o| o.note_id == Some(n.id));
            let sync = match (&n.psa_note_id, n.after_ack, item.map(|o| o.state)) {
                (Some(p), _, _) => format!("in PSA as {p}"),
                (None, false, _) => "local only (before acknowledgement)".into(),
                (None, true, Some(OutboxState::Cancelled)) => {
                    "not sent: written before the ticket was linked".into()
                }
                (None, true, Some(OutboxState::Refused)) => "refused by the PSA, see below".into(),
                (None, true, Some(OutboxState::Done)) => "in PSA (its answer named no id)".into(),
                (None, true, _) => "not in the PSA yet".into(),
            };
            out.push(format!("  [{}] {} ({sync}):", n.created_at, n.author));
            out.extend(n.body.lines().map(|l| format!("    {l}")));
        }
    }
    if !d.time_entries.is_empty() {
        out.push(String::new());
        out.push("Time:".into());
        for t in &d.time_entries {
            let e = &t.entry.entry;
            out.push(format!(
                "  [{}] {} min {} by {} ({}{})",
                t.entry.id,
                e.minutes,
                e.work_type,
                e.technician,
                t.sync_state,
                t.sync_note
                    .as_ref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            ));
        }
    }
    let open: Vec<&OutboxItem> = d
        .outbox
        .iter()
        .filter(|o| matches!(o.state, OutboxState::Pending | OutboxState::Refused))
        .collect();
    if !open.is_empty() {
        out.push(String::new());
        out.push("Waiting for the PSA:".into());
        out.extend(open.iter().map(|o| format!("  {}", queued_in(d, o))));
    }
    let cancelled: Vec<&OutboxItem> = d
        .outbox
        .iter()
        .filter(|o| o.state == OutboxState::Cancelled)
        .collect();
    if !cancelled.is_empty() {
        out.push(String::new());
        out.push("Not sent to the PSA:".into());
        out.extend(cancelled.iter().map(|o| format!("  {}", queued_text(o))));
    }
    out.join("\n")
}

/// [`queued_text`] for an item of `d`, saying when it waits behind a refused write.
pub fn queued_in(d: &IncidentDetail, item: &OutboxItem) -> String {
    let blocker = d
        .outbox
        .iter()
        .find(|o| o.id < item.id && o.state == OutboxState::Refused);
    match blocker {
        Some(b) if item.state == OutboxState::Pending => format!(
            "{} waits behind the refused {} (writes of an incident go in order).",
            what(item),
            what(b)
        ),
        _ => queued_text(item),
    }
}

fn what(item: &OutboxItem) -> &'static str {
    match item.kind {
        PsaWriteKind::CreateTicket => "PSA ticket creation",
        PsaWriteKind::AddNote => "PSA note",
        PsaWriteKind::Resolve => "PSA resolution",
        PsaWriteKind::AddTimeEntry => "PSA time entry",
    }
}

/// What happened to a queued PSA write, in a sentence.
pub fn queued_text(item: &OutboxItem) -> String {
    let what = what(item);
    match item.state {
        OutboxState::Pending => match &item.last_error {
            Some(e) => format!(
                "{what} queued: {e}. It is sent by `oncall sync` once the PSA is reachable."
            ),
            None if item.answer_awaited() => format!("{what} {AWAITING_ANSWER}."),
            None => format!("{what} queued."),
        },
        OutboxState::Refused => format!(
            "{what} REFUSED: {} (fix the cause, then `oncall sync --retry`{})",
            item.last_error.as_deref().unwrap_or("no reason given"),
            // A ticket the PSA refused to create (or created without telling its id) can
            // also be made by hand and linked.
            if item.kind == PsaWriteKind::CreateTicket {
                "; or link the incident to its PSA ticket with `oncall link`"
            } else {
                ""
            }
        ),
        OutboxState::Done => format!(
            "{what} sent{}",
            item.outcome
                .as_ref()
                .map(|o| format!(": {o}"))
                .unwrap_or_default()
        ),
        OutboxState::Cancelled => format!(
            "{what} cancelled{}",
            item.outcome
                .as_ref()
                .map(|o| format!(": {o}"))
                .unwrap_or_default()
        ),
    }
}
