//! `oncall timer ...` and `oncall time ...`: billable time on the incident's PSA ticket.

use anyhow::{Context, Result};
use jiff::Timestamp;
use oncall_core::{
    domain::{IncidentId, ManualEntry, TimeEntry},
    problem::Remedy,
    service::{Acted, EntryChanges, TimeChange, TimeEntryView, TimerStatus},
};

use super::{actions::Actions, technician};
use crate::{
    cli::{TimeCommand, TimerCommand},
    fixes,
};

pub fn timer(act: &mut Actions<'_>, cmd: TimerCommand) -> Result<()> {
    match cmd {
        TimerCommand::Start(a) => {
            let t = act
                .desk
                .start_timer(IncidentId(a.id), &technician(a.tech)?)?;
            act.out
                .print(&t, || format!("Timer running: {}", timer_line(&t)))
        }
        TimerCommand::Pause(a) => {
            let t = act
                .desk
                .pause_timer(IncidentId(a.id), &technician(a.tech)?)?;
            act.out
                .print(&t, || format!("Timer paused: {}", timer_line(&t)))
        }
        TimerCommand::Stop(a) => match act
            .desk
            .stop_timer(IncidentId(a.id), &technician(a.tech)?)?
        {
            Some(acted) => {
                let headline = format!("Timer stopped. {}", entry_line(&acted.value));
                act.finish(
                    IncidentId(a.id),
                    acted.queued,
                    None,
                    headline,
                    &waiting(&acted.value),
                )
            }
            None => {
                let headline = "Timer stopped; no time was worked, so no entry was made.";
                act.out
                    .print(&serde_json::Value::Null, || headline.to_owned())
            }
        },
        TimerCommand::Status => {
            let timers = act.desk.timers()?;
            act.out.print(&timers, || {
                if timers.is_empty() {
                    return "No timers.".to_owned();
                }
                timers.iter().map(timer_line).collect::<Vec<_>>().join("\n")
            })
        }
    }
}

pub fn time(act: &mut Actions<'_>, cmd: TimeCommand) -> Result<()> {
    match cmd {
        TimeCommand::Add {
            id,
            tech,
            minutes,
            start,
            work_type,
            billable,
            no_billable,
            note,
        } => {
            let input = ManualEntry {
                technician: technician(tech)?,
                minutes,
                started_at: start.as_deref().map(parse_time).transpose()?,
                work_type,
                billable: (billable || no_billable).then_some(!no_billable),
                note,
            };
            let acted = act.desk.add_time(IncidentId(id), &input)?;
            let headline = format!(
                "Added time entry {}. {}",
                acted.value.id,
                entry_line(&acted.value)
            );
            act.finish(
                IncidentId(id),
                acted.queued,
                None,
                headline,
                &waiting(&acted.value),
            )
        }
        TimeCommand::List { id } => {
            let entries = act.desk.time_entries(IncidentId(id))?;
            act.out.print(&entries, || {
                if entries.is_empty() {
                    return format!("No time logged on incident {id}.");
                }
                entries.iter().map(view_line).collect::<Vec<_>>().join("\n")
            })
        }
        TimeCommand::Edit {
            entry,
            minutes,
            start,
            work_type,
            billable,
            note,
        } => {
            let changes = EntryChanges {
                minutes,
                started_at: start.as_deref().map(parse_time).transpose()?,
                work_type,
                billable,
                note,
            };
            let acted = act.desk.edit_time(entry, &changes)?;
            let done = format!(
                "Corrected time entry {entry}. {}",
                entry_line(&acted.value.entry)
            );
            report_change(act, acted, done)
        }
        TimeCommand::Delete { entry } => {
            let acted = act.desk.delete_time(entry)?;
            report_change(act, acted, format!("Deleted time entry {entry}."))
        }
        TimeCommand::Confirm { entry, minutes } => {
            let acted = act.desk.confirm_time(entry, minutes)?;
            let id = acted.value.entry.entry.incident_id;
            if acted.value.correction.is_some() {
                return report_change(act, acted, String::new());
            }
            let headline = format!(
                "Confirmed time entry {}. {}",
                acted.value.entry.id,
                entry_line(&acted.value.entry)
            );
            let local = waiting(&acted.value.entry);
            act.finish(id, acted.queued, None, headline, &local)
        }
    }
}

/// Prints a correction or deletion: `done` when it was made here; otherwise that the PSA may
/// have the entry, and the correction note sent in its place.
fn report_change(act: &mut Actions<'_>, acted: Acted<TimeChange>, done: String) -> Result<()> {
    let change = acted.value;
    let Some(note) = change.correction else {
        return act.out.print(&change, || done);
    };
    let headline = format!(
        "Time entry {} may already be in the PSA, whose API cannot change it, so it was left as \
         sent. A correction note (note {}) asks for the change on the PSA ticket:\n  {}",
        change.entry.id, note.id, note.body
    );
    let local = "The correction note is kept locally: notes reach the PSA ticket only once the \
                 incident is acknowledged.";
    act.finish(
        change.entry.entry.incident_id,
        acted.queued,
        Some(note),
        headline,
        local,
    )
}

fn parse_time(s: &str) -> Result<Timestamp> {
    s.parse()
        .with_context(|| format!("'{s}' is not a time: use RFC 3339, e.g. 2026-11-25T09:30:00Z"))
}

fn timer_line(t: &TimerStatus) -> String {
    format!(
        "incident {} {}: {} min worked{}{}",
        t.timer.incident_id,
        t.timer.technician,
        t.worked_minutes,
        if t.running { ", running" } else { ", paused" },
        if t.over_limit {
            " — running past the limit: stop it and confirm the time"
        } else {
            ""
        }
    )
}

fn entry_line(e: &TimeEntry) -> String {
    let x = &e.entry;
    let mut line = format!(
        "{} min {} by {} ({} to {}, {})",
        x.minutes,
        x.work_type,
        x.technician,
        x.started_at,
        x.ended_at,
        if x.billable {
            "billable"
        } else {
            "not billable"
        }
    );
    if let Some(reason) = &x.held_reason {
        line.push_str(&format!("\nHeld: {reason}"));
    }
    line
}

fn view_line(v: &TimeEntryView) -> String {
    format!(
        "{:>5}  {}  [{}{}]",
        v.entry.id,
        entry_line(&v.entry).replace('\n', " "),
        v.sync_state,
        v.sync_note
            .as_ref()
            .map(|n| format!(": {n}"))
            .unwrap_or_default()
    )
}

fn waiting(e: &TimeEntry) -> String {
    if e.entry.held_reason.is_some() {
        format!(
            "Not sent until confirmed. {}",
            fixes::words(&Remedy::ConfirmTime)
        )
    } else {
        "Kept locally until the incident has a PSA ticket (acknowledge with a PSA configured, or \
         `oncall link`)."
            .to_owned()
    }
}
