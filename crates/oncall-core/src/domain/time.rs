//! Billable time: work timers per incident and technician, and the time entries they become.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::{DomainError, IncidentId, incident::NAME_MAX, text};

/// Longest time entry note accepted, in bytes.
const ENTRY_NOTE_MAX: usize = 4 * 1024;
/// Longest single entry: a day.
const MAX_ENTRY_MINUTES: i64 = 24 * 60;

/// How time is kept and billed (from the settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimePolicy {
    /// Start the technician's timer when they acknowledge.
    pub auto_start: bool,
    /// Minutes round up to a multiple of this (1, 6 and 15 are common MSP conventions).
    pub increment_minutes: u32,
    /// The work type of timer entries, e.g. `Remote Support`.
    pub work_type: String,
    /// Whether timer entries are billable.
    pub billable: bool,
    /// A timer that ran longer than this is held for the technician to confirm.
    pub confirm_after: SignedDuration,
}

impl Default for TimePolicy {
    fn default() -> Self {
        Self {
            auto_start: true,
            increment_minutes: 6,
            work_type: "Remote Support".to_owned(),
            billable: true,
            confirm_after: SignedDuration::from_hours(12),
        }
    }
}

/// A finished stretch of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stretch {
    /// When it started.
    pub started_at: Timestamp,
    /// When it ended.
    pub ended_at: Timestamp,
}

/// A technician's timer on an incident: finished stretches and, while running, the instant the
/// current stretch started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkTimer {
    /// The incident worked on.
    pub incident_id: IncidentId,
    /// Who is working.
    pub technician: String,
    /// When the current stretch started; `None` while paused.
    pub running_since: Option<Timestamp>,
    /// The finished stretches, oldest first.
    pub stretches: Vec<Stretch>,
}

impl WorkTimer {
    /// A timer started at `now`.
    pub fn start(
        incident_id: IncidentId,
        technician: &str,
        now: Timestamp,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            incident_id,
            technician: text::line("technician", technician, NAME_MAX)?,
            running_since: Some(now),
            stretches: Vec::new(),
        })
    }

    /// Whether it is running.
    pub fn is_running(&self) -> bool {
        self.running_since.is_some()
    }

    /// The time worked up to `now`, pauses excluded.
    pub fn worked(&self, now: Timestamp) -> SignedDuration {
        let running = self
            .running_since
            .map(|since| now.duration_since(since).max(SignedDuration::ZERO));
        self.stretches
            .iter()
            .map(|s| s.ended_at.duration_since(s.started_at))
            .chain(running)
            .fold(SignedDuration::ZERO, |a, b| a.saturating_add(b))
    }

    /// Pauses: the current stretch ends at `now`.
    pub fn pause(&mut self, now: Timestamp) -> Result<(), DomainError> {
        let since = self
            .running_since
            .take()
            .ok_or_else(|| DomainError::NoTimer {
                id: self.incident_id,
                tech: self.technician.clone(),
                what: "running timer",
            })?;
        if now > since {
            self.stretches.push(Stretch {
                started_at: since,
                ended_at: now,
            });
        }
        Ok(())
    }

    /// Resumes a paused timer at `now`.
    pub fn resume(&mut self, now: Timestamp) -> Result<(), DomainError> {
        if self.is_running() {
            return Err(DomainError::TimerRunning {
                id: self.incident_id,
                tech: self.technician.clone(),
            });
        }
        self.running_since = Some(now);
        Ok(())
    }

    /// Stops at `now`: the time entry its stretches make, if any time was worked.
    pub fn stop(mut self, now: Timestamp, policy: &TimePolicy, note: &str) -> Option<NewTimeEntry> {
        if self.is_running() {
            // Cannot fail: it is running.
            let _ = self.pause(now);
        }
        let worked = self.worked(now);
        let minutes = round_up_minutes(worked, policy.increment_minutes);
        if minutes == 0 {
            return None;
        }
        let first = self.stretches.first()?;
        let last = self.stretches.last()?;
        let held_reason = (worked > policy.confirm_after).then(|| {
            format!(
                "the timer ran {}, longer than the {} limit: it goes to the PSA once confirmed \
                 (its minutes may be corrected then)",
                hours_minutes(worked),
                hours_minutes(policy.confirm_after)
            )
        });
        Some(NewTimeEntry {
            incident_id: self.incident_id,
            technician: self.technician,
            started_at: first.started_at,
            ended_at: last.ended_at,
            minutes,
            billable: policy.billable,
            work_type: policy.work_type.clone(),
            note: note.to_owned(),
            source: EntrySource::Timer,
            held_reason,
        })
    }
}

/// Whole minutes worked, rounded up to the billing increment; 0 only for no time at all.
pub fn round_up_minutes(worked: SignedDuration, increment_minutes: u32) -> i64 {
    let ms = worked.as_millis().max(0);
    if ms == 0 {
        return 0;
    }
    let step = i128::from(increment_minutes.max(1)) * 60_000;
    let steps = (ms + step - 1) / step;
    i64::try_from(steps * step / 60_000).unwrap_or(i64::MAX)
}

/// `3h 05m`.
fn hours_minutes(d: SignedDuration) -> String {
    let minutes = d.as_secs() / 60;
    format!("{}h {:02}m", minutes / 60, minutes % 60)
}

/// Where a time entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntrySource {
    /// A stopped work timer.
    Timer,
    /// Typed in by hand.
    Manual,
}

impl EntrySource {
    /// The lowercase name used in the database and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Timer => "timer",
            Self::Manual => "manual",
        }
    }
}

/// A time entry about to be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTimeEntry {
    /// The incident.
    pub incident_id: IncidentId,
    /// Who worked.
    pub technician: String,
    /// When the work started.
    pub started_at: Timestamp,
    /// When it ended.
    pub ended_at: Timestamp,
    /// Billed minutes.
    pub minutes: i64,
    /// Billable or not.
    pub billable: bool,
    /// e.g. `Remote Support`.
    pub work_type: String,
    /// What was done.
    pub note: String,
    /// Timer or manual.
    pub source: EntrySource,
    /// Why it waits for confirmation, if it does.
    pub held_reason: Option<String>,
}

/// A time entry typed in by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManualEntry {
    /// Who worked.
    pub technician: String,
    /// Minutes worked.
    pub minutes: i64,
    /// When the work started (default: `minutes` before now).
    pub started_at: Option<Timestamp>,
    /// Work type (default: the policy's).
    pub work_type: Option<String>,
    /// Billable (default: the policy's).
    pub billable: Option<bool>,
    /// What was done (default: the incident's title).
    pub note: Option<String>,
}

impl ManualEntry {
    /// Checks the input: 1 to 1440 minutes, not in the future, short note and work type.
    pub fn validate(
        &self,
        incident_id: IncidentId,
        incident_title: &str,
        policy: &TimePolicy,
        now: Timestamp,
    ) -> Result<NewTimeEntry, DomainError> {
        if !(1..=MAX_ENTRY_MINUTES).contains(&self.minutes) {
            return Err(DomainError::BadMinutes {
                got: self.minutes,
                max: MAX_ENTRY_MINUTES,
            });
        }
        let span = SignedDuration::from_mins(self.minutes);
        let started_at = self.started_at.unwrap_or_else(|| now - span);
        if started_at > now {
            return Err(DomainError::InTheFuture {
                what: "start",
                at: started_at.to_string(),
            });
        }
        // Checked: a start just before the end of time has no representable end.
        let ended_at = started_at
            .checked_add(span)
            .map_err(|_| DomainError::InTheFuture {
                what: "end",
                at: format!(
                    "{minutes} minutes after {started_at}",
                    minutes = self.minutes
                ),
            })?;
        if ended_at > now {
            return Err(DomainError::InTheFuture {
                what: "end",
                at: ended_at.to_string(),
            });
        }
        Ok(NewTimeEntry {
            incident_id,
            technician: text::line("technician", &self.technician, NAME_MAX)?,
            started_at,
            ended_at,
            minutes: self.minutes,
            billable: self.billable.unwrap_or(policy.billable),
            work_type: match &self.work_type {
                Some(w) => text::line("work type", w, 64)?,
                None => policy.work_type.clone(),
            },
            note: text::prose(
                "time entry note",
                self.note.as_deref().unwrap_or(incident_title),
                ENTRY_NOTE_MAX,
                false,
            )?,
            source: EntrySource::Manual,
            held_reason: None,
        })
    }
}

/// A stored time entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeEntry {
    /// Local id.
    pub id: i64,
    /// The entry.
    #[serde(flatten)]
    pub entry: NewTimeEntry,
    /// The PSA's id, once sent.
    pub psa_time_entry_id: Option<String>,
}

/// `POST /api/v1/tickets/{id}/time-entries`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeEntryRequest {
    /// When the work started.
    pub started_at: Timestamp,
    /// When it ended.
    pub ended_at: Timestamp,
    /// Billed minutes, a positive whole number.
    pub minutes: i64,
    /// Billable or not.
    pub billable: bool,
    /// e.g. `Remote Support`.
    pub work_type: String,
    /// What was done.
    pub note: String,
    /// Who worked.
    pub technician: String,
    /// The local time entry id.
    pub external_ref: String,
}

impl TimeEntryRequest {
    /// The request for a stored entry.
    pub fn for_entry(entry: &TimeEntry) -> Self {
        let e = &entry.entry;
        Self {
            started_at: e.started_at,
            ended_at: e.ended_at,
            minutes: e.minutes,
            billable: e.billable,
            work_type: e.work_type.clone(),
            note: e.note.clone(),
            technician: e.technician.clone(),
            external_ref: entry.id.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn at(min: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + min * 60).expect("in range")
    }

    fn policy(increment: u32) -> TimePolicy {
        TimePolicy {
            increment_minutes: increment,
            ..TimePolicy::default()
        }
    }

    #[test]
    fn rounding_goes_up_to_each_increment() {
        let d = |s| SignedDuration::from_secs(s);
        for (worked, inc, want) in [
            (d(1), 1, 1),
            (d(60), 1, 1),
            (d(61), 1, 2),
            (d(1), 6, 6),
            (d(360), 6, 6),
            (d(361), 6, 12),
            (d(14 * 60), 15, 15),
            (d(16 * 60), 15, 30),
            (d(0), 15, 0),
        ] {
            assert_eq!(round_up_minutes(worked, inc), want, "{worked:?} at {inc}");
        }
    }

    #[test]
    fn pauses_are_excluded_and_the_entry_spans_first_start_to_last_end() {
        let mut t = WorkTimer::start(IncidentId(1), "Dana", at(0)).expect("start");
        t.pause(at(10)).expect("pause");
        t.resume(at(40)).expect("resume");
        let e = t.stop(at(45), &policy(1), "CPU critical").expect("entry");
        assert_eq!((e.started_at, e.ended_at, e.minutes), (at(0), at(45), 15));
        assert_eq!(e.note, "CPU critical");
        assert_eq!(e.work_type, "Remote Support");
        assert!(e.billable && e.held_reason.is_none());
    }

    #[test]
    fn a_zero_length_timer_makes_no_entry() {
        let t = WorkTimer::start(IncidentId(1), "Dana", at(0)).expect("start");
        assert_eq!(t.stop(at(0), &policy(6), "x"), None);
    }

    #[test]
    fn a_timer_past_the_limit_is_held_for_confirmation() {
        let t = WorkTimer::start(IncidentId(1), "Dana", at(0)).expect("start");
        let e = t.stop(at(13 * 60 + 5), &policy(1), "x").expect("entry");
        let reason = e.held_reason.expect("held");
        assert!(
            reason.contains("ran 13h 05m, longer than the 12h 00m limit"),
            "{reason}"
        );
        crate::problem::assert_neutral(&reason);
    }

    #[test]
    fn pausing_twice_or_resuming_a_running_timer_is_refused() {
        let mut t = WorkTimer::start(IncidentId(1), "Dana", at(0)).expect("start");
        assert!(matches!(
            t.resume(at(1)),
            Err(DomainError::TimerRunning { .. })
        ));
        t.pause(at(2)).expect("pause");
        assert!(matches!(t.pause(at(3)), Err(DomainError::NoTimer { .. })));
    }

    #[test]
    fn manual_entries_are_checked() {
        let p = policy(6);
        let now = at(100);
        let base = ManualEntry {
            technician: "Dana".into(),
            minutes: 30,
            ..ManualEntry::default()
        };
        let ok = base.validate(IncidentId(1), "Title", &p, now).expect("ok");
        assert_eq!((ok.started_at, ok.ended_at, ok.minutes), (at(70), now, 30));
        assert_eq!(ok.note, "Title");
        for minutes in [0, -5, 24 * 60 + 1] {
            let e = ManualEntry {
                minutes,
                ..base.clone()
            };
            assert!(matches!(
                e.validate(IncidentId(1), "T", &p, now),
                Err(DomainError::BadMinutes { .. })
            ));
        }
        let future = ManualEntry {
            started_at: Some(at(101)),
            ..base.clone()
        };
        assert!(matches!(
            future.validate(IncidentId(1), "T", &p, now),
            Err(DomainError::InTheFuture { what: "start", .. })
        ));
        let ends_later = ManualEntry {
            started_at: Some(at(90)),
            ..base.clone()
        };
        assert!(matches!(
            ends_later.validate(IncidentId(1), "T", &p, now),
            Err(DomainError::InTheFuture { what: "end", .. })
        ));
        let huge = ManualEntry {
            note: Some("x".repeat(5000)),
            ..base
        };
        assert!(matches!(
            huge.validate(IncidentId(1), "T", &p, now),
            Err(DomainError::TooLong { .. })
        ));
    }

    proptest! {
        #[test]
        fn billed_minutes_cover_the_work_and_are_a_multiple_of_the_increment(
            secs in 1i64..200_000, inc in prop::sample::select(vec![1u32, 6, 15])
        ) {
            let m = round_up_minutes(SignedDuration::from_secs(secs), inc);
            prop_assert!(m * 60 >= secs);
            prop_assert_eq!(m % i64::from(inc), 0);
            prop_assert!((m - i64::from(inc)) * 60 < secs);
        }
    }
}
