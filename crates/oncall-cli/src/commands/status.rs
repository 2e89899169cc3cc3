//! `oncall status`: what needs the technician's attention, in one screen.

use anyhow::Result;
use oncall_core::{
    Desk,
    service::{SyncStatus, TimerStatus},
};
use serde::Serialize;

use super::psa;
use crate::output::{Out, queued_text};

#[derive(Serialize)]
struct Status {
    /// The PSA in a sentence: where it is, or why there is none.
    psa: String,
    sync: SyncStatus,
    timers: Vec<TimerStatus>,
}

pub fn run(desk: &mut Desk, out: &Out) -> Result<()> {
    let psa = match psa::config() {
        Ok(Some(c)) => format!("The One PSA at {}", c.url),
        Ok(None) => format!("no PSA configured: {}", psa::unconfigured_reason()),
        Err(e) => format!("the PSA is configured but cannot be used: {e:#}"),
    };
    let status = Status {
        psa,
        sync: desk.sync_status()?,
        timers: desk.timers()?,
    };
    out.print(&status, || text(&status))
}

fn text(s: &Status) -> String {
    let c = &s.sync.counts;
    let mut lines = vec![
        format!("PSA: {}", s.psa),
        format!(
            "Writes: {} waiting, {} refused, {} delivered.",
            c.pending, c.refused, c.done
        ),
    ];
    for item in &s.sync.refused_writes {
        lines.push(format!(
            "  incident {}: {}",
            item.incident_id,
            queued_text(item)
        ));
    }
    let running: Vec<_> = s.timers.iter().filter(|t| t.running).collect();
    lines.push(format!(
        "Timers: {} running, {} paused.",
        running.len(),
        s.timers.len() - running.len()
    ));
    for t in s.timers.iter().filter(|t| t.over_limit) {
        lines.push(format!(
            "  {}'s timer on incident {} has run {} minutes: stop it and confirm the time.",
            t.timer.technician, t.timer.incident_id, t.worked_minutes
        ));
    }
    lines.join("\n")
}
