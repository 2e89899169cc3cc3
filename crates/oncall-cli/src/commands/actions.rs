//! The incident actions: acknowledge, note, resolve, link. Each is saved first, then its PSA
//! writes are sent right away when a PSA is configured (bounded wait; the rest stays queued).

use anyhow::{Context, Result, bail};
use oncall_core::{
    Desk,
    domain::{IncidentId, NOTE_MAX_BYTES, Note, OutboxState},
    service::IncidentDetail,
    store::OutboxItem,
    sync::SyncReport,
};
use serde::Serialize;

use super::{psa, stdin};
use crate::output::{Out, queued_in};

/// What an action prints with `--json`: the incident as it now stands.
#[derive(Serialize)]
struct ActionOutput {
    #[serde(flatten)]
    incident: IncidentDetail,
    /// The note just added, for `oncall note`.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<Note>,
    /// What was sent to the PSA right away.
    sync: Option<SyncReport>,
}

/// The context every action needs.
pub struct Actions<'a> {
    /// The technician's desk.
    pub desk: &'a mut Desk,
    /// Where results go.
    pub out: &'a Out,
    /// Whether to send PSA writes right away.
    pub sync: bool,
}

impl Actions<'_> {
    pub fn ack(&mut self, id: i64, tech: &str) -> Result<()> {
        let acted = self.desk.acknowledge(IncidentId(id), tech)?;
        let headline = format!("Acknowledged incident {id} as {}.", tech.trim());
        let unconfigured = format!(
            "PSA not configured ({}): no PSA ticket was created; link one by hand with \
             `oncall link`.",
            psa::unconfigured_reason()
        );
        self.finish(IncidentId(id), acted.queued, None, headline, &unconfigured)
    }

    pub fn note(&mut self, id: i64, author: &str, text: &str) -> Result<()> {
        let body = if text == "-" {
            let Some(bytes) = stdin::read_capped(NOTE_MAX_BYTES)
                .context("cannot read the note from standard input")?
            else {
                bail!(
                    "the note on standard input is longer than {NOTE_MAX_BYTES} bytes, the limit \
                     of a note: nothing was added; split it, or attach the full log in the PSA"
                );
            };
            String::from_utf8(bytes).context("the note on standard input is not valid UTF-8")?
        } else {
            text.to_owned()
        };
        let acted = self.desk.add_note(IncidentId(id), author, &body)?;
        let headline = format!("Added note {} to incident {id}.", acted.value.id);
        let local = if acted.value.after_ack {
            "Kept locally: this incident has no PSA ticket."
        } else {
            "Kept locally: notes written before acknowledgement are not sent to the PSA."
        };
        let note = acted.value;
        self.finish(IncidentId(id), acted.queued, Some(note), headline, local)
    }

    pub fn resolve(
        &mut self,
        id: i64,
        tech: &str,
        summary: Option<&str>,
        billed: Option<i64>,
    ) -> Result<()> {
        let acted = self
            .desk
            .resolve_billing(IncidentId(id), tech, summary, billed)?;
        let headline = format!("Resolved incident {id} as {}.", tech.trim());
        let local = "Kept locally: this incident has no PSA ticket.";
        self.finish(IncidentId(id), acted.queued, None, headline, local)
    }

    pub fn link(&mut self, id: i64, ticket: &str) -> Result<()> {
        let replaced = self.desk.link(IncidentId(id), ticket)?;
        let mut headline = format!(
            "Linked incident {id} to PSA ticket {}. Later notes, the resolution and the time will \
             sync to it; earlier notes are not sent.",
            ticket.trim()
        );
        if replaced.notes_not_sent > 0 {
            headline.push_str(&format!(
                "\n{} note(s) queued before the link will not be sent.",
                replaced.notes_not_sent
            ));
        }
        if let Some(warning) = &replaced.possible_duplicate {
            headline.push_str(&format!("\nWARNING: {warning}."));
        }
        self.finish(IncidentId(id), None, None, headline, "")
    }

    /// Sends what the action queued (unless told not to), then prints the incident as it now
    /// stands and what became of the queued write.
    pub(super) fn finish(
        &mut self,
        id: IncidentId,
        queued: Option<OutboxItem>,
        note: Option<Note>,
        headline: String,
        local: &str,
    ) -> Result<()> {
        // Anything of this incident still waiting goes too: what this action queued, and what
        // earlier actions (or a link, which releases waiting time entries) left behind.
        let waiting = self
            .desk
            .incident(id)?
            .outbox
            .iter()
            .any(|o| o.state == OutboxState::Pending);
        let sync = if self.sync && waiting {
            psa::deliver_now(self.desk.db_path(), id)?
        } else {
            None
        };
        let incident = self.desk.incident(id)?;
        let psa_line = match &queued {
            Some(q) => {
                let now = incident.outbox.iter().find(|o| o.id == q.id).unwrap_or(q);
                let mut line = queued_in(&incident, now);
                if let Some(why) = sync.as_ref().and_then(|s| s.stopped.as_ref()) {
                    line.push_str(&format!("\n{why}"));
                }
                line
            }
            None => local.to_owned(),
        };
        let output = ActionOutput {
            incident,
            note,
            sync,
        };
        self.out.print(&output, || {
            [headline, psa_line]
                .into_iter()
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        })
    }
}
