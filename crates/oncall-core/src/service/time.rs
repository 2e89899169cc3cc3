//! Timer and time entry actions: start, pause, stop, add by hand, correct, delete, confirm.

use jiff::Timestamp;
use serde::Serialize;

use super::{
    Acted, Desk, DeskError,
    correction::{self, TimeChange},
};
use crate::{
    domain::{
        DomainError, Incident, IncidentId, ManualEntry, NewTimeEntry, PsaWrite, Status, TimeEntry,
        TimePolicy, WorkTimer,
    },
    store::{AWAITING_ANSWER, StoreError, Subject, Tx},
};

/// A timer with what it adds up to now.
#[derive(Debug, Clone, Serialize)]
pub struct TimerStatus {
    /// The timer.
    #[serde(flatten)]
    pub timer: WorkTimer,
    /// Whether it is running.
    pub running: bool,
    /// Whole minutes worked so far, pauses excluded.
    pub worked_minutes: i64,
    /// Whether it has run past the limit and will need confirming.
    pub over_limit: bool,
}

/// A time entry and where it stands with the PSA.
#[derive(Debug, Clone, Serialize)]
pub struct TimeEntryView {
    /// The entry.
    #[serde(flatten)]
    pub entry: TimeEntry,
    /// `held`, `waiting_for_ticket`, `pending`, `done` or `refused`.
    pub sync_state: &'static str,
    /// Why, in words, when it is not simply sent.
    pub sync_note: Option<String>,
}

impl Desk {
    /// Starts (or resumes) a technician's timer on an incident; their timer running on another
    /// incident is paused, as PSA stopwatches do.
    pub fn start_timer(&mut self, id: IncidentId, tech: &str) -> Result<TimerStatus, DeskError> {
        let now = self.clock.now();
        let policy = &self.policy;
        self.store.write(|tx| {
            let incident = tx.incident(id)?;
            let timer = start(tx, &incident, tech, now)?;
            Ok(status(timer, now, policy))
        })
    }

    /// Pauses a technician's running timer on an incident.
    pub fn pause_timer(&mut self, id: IncidentId, tech: &str) -> Result<TimerStatus, DeskError> {
        let now = self.clock.now();
        let policy = &self.policy;
        let tech = tech.trim();
        self.store.write(|tx| {
            let mut timer = tx
                .timer(id, tech)?
                .ok_or_else(|| no_timer(id, tech, "running timer"))?;
            timer.pause(now)?;
            tx.save_timer(&timer, now)?;
            Ok(status(timer, now, policy))
        })
    }

    /// Stops a technician's timer: its worked time becomes a time entry (none for zero time).
    pub fn stop_timer(
        &mut self,
        id: IncidentId,
        tech: &str,
    ) -> Result<Option<Acted<TimeEntry>>, DeskError> {
        let now = self.clock.now();
        let policy = &self.policy;
        let tech = tech.trim();
        self.store.write(|tx| {
            let incident = tx.incident(id)?;
            let timer = tx
                .timer(id, tech)?
                .ok_or_else(|| no_timer(id, tech, "timer"))?;
            stop(tx, &incident, timer, policy, now, None)
        })
    }

    /// Every timer with its running total.
    pub fn timers(&mut self) -> Result<Vec<TimerStatus>, DeskError> {
        let now = self.clock.now();
        let policy = self.policy.clone();
        self.store.read(|tx| {
            Ok(tx
                .timers()?
                .into_iter()
                .map(|t| status(t, now, &policy))
                .collect())
        })
    }

    /// Adds time by hand.
    pub fn add_time(
        &mut self,
        id: IncidentId,
        input: &ManualEntry,
    ) -> Result<Acted<TimeEntry>, DeskError> {
        let now = self.clock.now();
        let policy = &self.policy;
        self.store.write(|tx| {
            let incident = tx.incident(id)?;
            let entry = input.validate(id, &incident.title, policy, now)?;
            record(tx, &incident, &entry, now)
        })
    }

    /// Corrects an entry; `changes` holds the new values (its technician is ignored). An entry
    /// the PSA may already have is left as it is and a correction note is queued instead.
    pub fn edit_time(
        &mut self,
        entry_id: i64,
        changes: &EntryChanges,
    ) -> Result<Acted<TimeChange>, DeskError> {
        let now = self.clock.now();
        let policy = &self.policy;
        self.store.write(|tx| {
            let entry = tx.time_entry(entry_id)?;
            let incident = tx.incident(entry.entry.incident_id)?;
            let e = &entry.entry;
            let minutes = changes.minutes.unwrap_or(e.minutes);
            // New minutes without a new start keep the end: the work ended when it was logged.
            let started_at = changes.started_at.unwrap_or_else(|| {
                e.ended_at - jiff::SignedDuration::from_mins(minutes.clamp(0, 24 * 60))
            });
            let corrected = ManualEntry {
                technician: e.technician.clone(),
                minutes,
                started_at: Some(started_at),
                work_type: Some(
                    changes
                        .work_type
                        .clone()
                        .unwrap_or_else(|| e.work_type.clone()),
                ),
                billable: Some(changes.billable.unwrap_or(e.billable)),
                note: Some(changes.note.clone().unwrap_or_else(|| e.note.clone())),
            }
            .validate(incident.id, &incident.title, policy, now)?;
            let new = NewTimeEntry {
                source: e.source,
                held_reason: e.held_reason.clone(),
                ..corrected
            };
            correction::change(tx, &incident, entry, Some(new), now)
        })
    }

    /// Deletes an entry. One the PSA may already have is kept and a correction note asking
    /// for its removal is queued instead.
    pub fn delete_time(&mut self, entry_id: i64) -> Result<Acted<TimeChange>, DeskError> {
        let now = self.clock.now();
        self.store.write(|tx| {
            let entry = tx.time_entry(entry_id)?;
            let incident = tx.incident(entry.entry.incident_id)?;
            correction::change(tx, &incident, entry, None, now)
        })
    }

    /// Confirms an entry held because its timer ran past the limit, optionally correcting its
    /// minutes; it is then sent like any other. New minutes for an entry already queued are a
    /// correction like [`Desk::edit_time`]'s.
    pub fn confirm_time(
        &mut self,
        entry_id: i64,
        minutes: Option<i64>,
    ) -> Result<Acted<TimeChange>, DeskError> {
        let now = self.clock.now();
        self.store.write(|tx| {
            let entry = tx.time_entry(entry_id)?;
            if let Some(m) = minutes
                && !(1..=24 * 60).contains(&m)
            {
                return Err(DomainError::BadMinutes {
                    got: m,
                    max: 24 * 60,
                }
                .into());
            }
            let incident = tx.incident(entry.entry.incident_id)?;
            let new = NewTimeEntry {
                minutes: minutes.unwrap_or(entry.entry.minutes),
                held_reason: None,
                ..entry.entry.clone()
            };
            if tx.time_entry_item(entry_id)?.is_some() {
                return if new == entry.entry {
                    Ok(Acted {
                        value: TimeChange {
                            entry,
                            changed: false,
                            correction: None,
                        },
                        queued: None,
                    })
                } else {
                    correction::change(tx, &incident, entry, Some(new), now)
                };
            }
            let entry = TimeEntry {
                entry: new,
                ..entry
            };
            tx.update_time_entry(&entry)?;
            let queued = PsaWrite::on_time_entry(&incident, &entry)
                .map(|w| tx.enqueue(incident.id, Subject::TimeEntry(entry.id), &w, now))
                .transpose()?;
            Ok(Acted {
                value: TimeChange {
                    entry,
                    changed: true,
                    correction: None,
                },
                queued,
            })
        })
    }

    /// An incident's time entries with their PSA state.
    pub fn time_entries(&mut self, id: IncidentId) -> Result<Vec<TimeEntryView>, DeskError> {
        self.store.read(|tx| {
            tx.incident(id)?;
            Ok(entry_views(tx, id)?)
        })
    }
}

/// New values for a time entry; `None` keeps the current one.
#[derive(Debug, Clone, Default)]
pub struct EntryChanges {
    /// Minutes.
    pub minutes: Option<i64>,
    /// Start.
    pub started_at: Option<Timestamp>,
    /// Work type.
    pub work_type: Option<String>,
    /// Billable.
    pub billable: Option<bool>,
    /// Note.
    pub note: Option<String>,
}

/// Starts or resumes `tech`'s timer on `incident`, pausing their timer elsewhere.
pub(super) fn start(
    tx: &Tx<'_>,
    incident: &Incident,
    tech: &str,
    now: Timestamp,
) -> Result<WorkTimer, DeskError> {
    if incident.status == Status::Resolved {
        return Err(DomainError::ResolvedIncidentTimer(incident.id).into());
    }
    let fresh = WorkTimer::start(incident.id, tech, now)?;
    if let Some(mut running) = tx.running_timer(&fresh.technician)?
        && running.incident_id != incident.id
    {
        running.pause(now)?;
        tx.save_timer(&running, now)?;
    }
    let timer = match tx.timer(incident.id, &fresh.technician)? {
        Some(mut existing) => {
            existing.resume(now)?;
            existing
        }
        None => fresh,
    };
    tx.save_timer(&timer, now)?;
    Ok(timer)
}

/// Stops every timer on an incident (it is being resolved).
/// `billed` sets the minutes one technician's timer logs.
pub(super) fn stop_all(
    tx: &Tx<'_>,
    incident: &Incident,
    policy: &TimePolicy,
    now: Timestamp,
    billed: Option<(&str, i64)>,
) -> Result<(), DeskError> {
    for timer in tx.incident_timers(incident.id)? {
        let minutes = billed
            .filter(|(tech, _)| *tech == timer.technician)
            .map(|(_, m)| m);
        stop(tx, incident, timer, policy, now, minutes)?;
    }
    Ok(())
}

/// Checks minutes set by hand for a resolution: 0 (nothing logged) up to a day.
pub(super) fn check_billed(minutes: i64) -> Result<i64, DomainError> {
    const MAX: i64 = 24 * 60;
    if (0..=MAX).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(DomainError::BadMinutes {
            got: minutes,
            max: MAX,
        })
    }
}

/// Stops a timer and logs its time: as it ran, or `billed` minutes when given (0: nothing).
fn stop(
    tx: &Tx<'_>,
    incident: &Incident,
    timer: WorkTimer,
    policy: &TimePolicy,
    now: Timestamp,
    billed: Option<i64>,
) -> Result<Option<Acted<TimeEntry>>, DeskError> {
    tx.delete_timer(&timer)?;
    timer
        .stop(now, policy, &incident.title)
        .map(|mut entry| {
            if let Some(minutes) = billed {
                entry.minutes = minutes;
            }
            entry
        })
        .filter(|entry| entry.minutes > 0)
        .map(|entry| record(tx, incident, &entry, now))
        .transpose()
}

/// Stores an entry and, when the incident syncs to the PSA, queues it in the same transaction.
fn record(
    tx: &Tx<'_>,
    incident: &Incident,
    entry: &NewTimeEntry,
    now: Timestamp,
) -> Result<Acted<TimeEntry>, DeskError> {
    let stored = tx.insert_time_entry(entry, now)?;
    let queued = PsaWrite::on_time_entry(incident, &stored)
        .map(|w| tx.enqueue(incident.id, Subject::TimeEntry(stored.id), &w, now))
        .transpose()?;
    Ok(Acted {
        value: stored,
        queued,
    })
}

/// Queues the entries that were waiting for the incident to get a ticket.
pub(super) fn queue_waiting_entries(
    tx: &Tx<'_>,
    incident: &Incident,
    now: Timestamp,
) -> Result<(), StoreError> {
    for entry in tx.unqueued_time_entries(incident.id)? {
        if let Some(w) = PsaWrite::on_time_entry(incident, &entry) {
            tx.enqueue(incident.id, Subject::TimeEntry(entry.id), &w, now)?;
        }
    }
    Ok(())
}

pub(super) fn entry_views(tx: &Tx<'_>, id: IncidentId) -> Result<Vec<TimeEntryView>, StoreError> {
    tx.time_entries(id)?
        .into_iter()
        .map(|entry| {
            let item = tx.time_entry_item(entry.id)?;
            let (sync_state, sync_note) = match (&entry.entry.held_reason, item) {
                (Some(reason), _) => ("held", Some(reason.clone())),
                (None, None) => (
                    "waiting_for_ticket",
                    Some("waits until the incident has a PSA ticket (acknowledged with a PSA configured, or linked to one)".to_owned()),
                ),
                (None, Some(item)) => {
                    let note = if item.answer_awaited() {
                        Some(AWAITING_ANSWER.to_owned())
                    } else {
                        item.last_error.or(item.outcome)
                    };
                    (item.state.as_str(), note)
                }
            };
            Ok(TimeEntryView {
                entry,
                sync_state,
                sync_note,
            })
        })
        .collect()
}

fn status(timer: WorkTimer, now: Timestamp, policy: &TimePolicy) -> TimerStatus {
    let worked = timer.worked(now);
    TimerStatus {
        running: timer.is_running(),
        worked_minutes: worked.as_secs() / 60,
        over_limit: worked > policy.confirm_after,
        timer,
    }
}

fn no_timer(id: IncidentId, tech: &str, what: &'static str) -> DeskError {
    DomainError::NoTimer {
        id,
        tech: tech.to_owned(),
        what,
    }
    .into()
}
