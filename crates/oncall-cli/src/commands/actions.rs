//! The incident actions: acknowledge, note, resolve, link.

use std::io::Read;

use anyhow::{Context, Result};
use oncall_core::{Desk, domain::IncidentId};

use crate::output::{Out, queued_text};

pub fn ack(desk: &mut Desk, out: &Out, id: i64, tech: &str) -> Result<()> {
    let acted = desk.acknowledge(IncidentId(id), tech)?;
    out.print(&acted, || {
        let psa = match &acted.queued {
            Some(item) => queued_text(item),
            None => "PSA not configured (PSA_API_URL / PSA_SERVICE_KEY unset): no PSA ticket was \
                     created; link one by hand with `oncall link`."
                .to_owned(),
        };
        format!("Acknowledged incident {id} as {tech}.\n{psa}")
    })
}

pub fn note(desk: &mut Desk, out: &Out, id: i64, author: &str, text: &str) -> Result<()> {
    let body = if text == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read the note from standard input")?;
        String::from_utf8(bytes).context("the note on standard input is not valid UTF-8")?
    } else {
        text.to_owned()
    };
    let acted = desk.add_note(IncidentId(id), author, &body)?;
    out.print(&acted, || {
        let psa = match &acted.queued {
            Some(item) => queued_text(item),
            None if acted.value.after_ack => {
                "Kept locally: this incident has no PSA ticket.".into()
            }
            None => {
                "Kept locally: notes written before acknowledgement are not sent to the PSA.".into()
            }
        };
        format!("Added note {} to incident {id}.\n{psa}", acted.value.id)
    })
}

pub fn resolve(
    desk: &mut Desk,
    out: &Out,
    id: i64,
    tech: &str,
    summary: Option<&str>,
) -> Result<()> {
    let acted = desk.resolve(IncidentId(id), tech, summary)?;
    out.print(&acted, || {
        let psa = match &acted.queued {
            Some(item) => queued_text(item),
            None => "Kept locally: this incident has no PSA ticket.".into(),
        };
        format!("Resolved incident {id} as {tech}.\n{psa}")
    })
}

pub fn link(desk: &mut Desk, out: &Out, id: i64, ticket: &str) -> Result<()> {
    let incident = desk.link(IncidentId(id), ticket)?;
    out.print(&incident, || {
        format!(
            "Linked incident {id} to PSA ticket {ticket}. Later notes and the resolution will sync \
             to it; earlier notes are not sent."
        )
    })
}
