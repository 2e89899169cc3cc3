//! Work timers and time entries.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use super::{StoreError, Tx, parse_col};
use crate::domain::{EntrySource, IncidentId, NewTimeEntry, Stretch, TimeEntry, WorkTimer};

const ENTRY_COLUMNS: &str = "id, incident_id, technician, started_at, ended_at, minutes, billable, \
    work_type, note, source, held_reason, psa_time_entry_id";

impl Tx<'_> {
    /// A technician's timer on an incident, if there is one.
    pub fn timer(&self, incident: IncidentId, tech: &str) -> Result<Option<WorkTimer>, StoreError> {
        let row: Option<(i64, Option<Timestamp>)> = self
            .0
            .query_row(
                "SELECT id, running_since FROM work_timers WHERE incident_id = ?1 AND technician = ?2",
                params![incident.0, tech],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(id, running_since)| {
            Ok(WorkTimer {
                incident_id: incident,
                technician: tech.to_owned(),
                running_since,
                stretches: self.stretches(id)?,
            })
        })
        .transpose()
    }

    /// The timer a technician has running, on any incident.
    pub fn running_timer(&self, tech: &str) -> Result<Option<WorkTimer>, StoreError> {
        let incident: Option<i64> = self
            .0
            .query_row(
                "SELECT incident_id FROM work_timers WHERE technician = ?1 AND running_since IS NOT NULL",
                [tech],
                |r| r.get(0),
            )
            .optional()?;
        match incident {
            Some(i) => self.timer(IncidentId(i), tech),
            None => Ok(None),
        }
    }

    /// Every timer, of every technician, oldest first.
    pub fn timers(&self) -> Result<Vec<WorkTimer>, StoreError> {
        self.timers_where(None)
    }

    /// The timers on an incident.
    pub fn incident_timers(&self, incident: IncidentId) -> Result<Vec<WorkTimer>, StoreError> {
        self.timers_where(Some(incident))
    }

    fn timers_where(&self, incident: Option<IncidentId>) -> Result<Vec<WorkTimer>, StoreError> {
        let mut stmt = self.0.prepare(
            "SELECT incident_id, technician FROM work_timers
             WHERE ?1 IS NULL OR incident_id = ?1 ORDER BY id",
        )?;
        let keys = stmt
            .query_map([incident.map(|i| i.0)], |r| {
                Ok((IncidentId(r.get(0)?), r.get::<_, String>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        keys.into_iter()
            .filter_map(|(i, t)| self.timer(i, &t).transpose())
            .collect()
    }

    /// Saves a timer's state (creating it if new): its running instant and its stretches.
    pub fn save_timer(&self, timer: &WorkTimer, now: Timestamp) -> Result<(), StoreError> {
        self.0.execute(
            "INSERT INTO work_timers (incident_id, technician, running_since, created_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (incident_id, technician) DO UPDATE SET running_since = excluded.running_since",
            params![timer.incident_id.0, timer.technician, timer.running_since, now],
        )?;
        let id = self.timer_id(timer)?;
        self.0
            .execute("DELETE FROM timer_stretches WHERE timer_id = ?1", [id])?;
        for s in &timer.stretches {
            self.0.execute(
                "INSERT INTO timer_stretches (timer_id, started_at, ended_at) VALUES (?1, ?2, ?3)",
                params![id, s.started_at, s.ended_at],
            )?;
        }
        Ok(())
    }

    /// Removes a stopped timer.
    pub fn delete_timer(&self, timer: &WorkTimer) -> Result<(), StoreError> {
        let id = self.timer_id(timer)?;
        self.0
            .execute("DELETE FROM timer_stretches WHERE timer_id = ?1", [id])?;
        self.0
            .execute("DELETE FROM work_timers WHERE id = ?1", [id])?;
        Ok(())
    }

    fn timer_id(&self, timer: &WorkTimer) -> Result<i64, StoreError> {
        Ok(self.0.query_row(
            "SELECT id FROM work_timers WHERE incident_id = ?1 AND technician = ?2",
            params![timer.incident_id.0, timer.technician],
            |r| r.get(0),
        )?)
    }

    fn stretches(&self, timer_id: i64) -> Result<Vec<Stretch>, StoreError> {
        let mut stmt = self.0.prepare(
            "SELECT started_at, ended_at FROM timer_stretches WHERE timer_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([timer_id], |r| {
            Ok(Stretch {
                started_at: r.get(0)?,
                ended_at: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores a time entry.
    pub fn insert_time_entry(
        &self,
        e: &NewTimeEntry,
        now: Timestamp,
    ) -> Result<TimeEntry, StoreError> {
        self.0.execute(
            "INSERT INTO time_entries (incident_id, technician, started_at, ended_at, minutes,
                 billable, work_type, note, source, held_reason, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                e.incident_id.0,
                e.technician,
                e.started_at,
                e.ended_at,
                e.minutes,
                e.billable,
                e.work_type,
                e.note,
                e.source.as_str(),
                e.held_reason,
                now
            ],
        )?;
        self.time_entry(self.0.last_insert_rowid())
    }

    /// Rewrites a time entry's fields (a correction or a confirmation).
    pub fn update_time_entry(&self, e: &TimeEntry) -> Result<(), StoreError> {
        let x = &e.entry;
        self.0.execute(
            "UPDATE time_entries SET started_at = ?2, ended_at = ?3, minutes = ?4, billable = ?5,
                 work_type = ?6, note = ?7, held_reason = ?8
             WHERE id = ?1",
            params![
                e.id,
                x.started_at,
                x.ended_at,
                x.minutes,
                x.billable,
                x.work_type,
                x.note,
                x.held_reason
            ],
        )?;
        Ok(())
    }

    /// Deletes a time entry.
    pub fn delete_time_entry(&self, id: i64) -> Result<(), StoreError> {
        self.0
            .execute("DELETE FROM time_entries WHERE id = ?1", [id])?;
        Ok(())
    }

    /// The time entry with this id.
    pub fn time_entry(&self, id: i64) -> Result<TimeEntry, StoreError> {
        self.0
            .query_row(
                &format!("SELECT {ENTRY_COLUMNS} FROM time_entries WHERE id = ?1"),
                [id],
                entry_row,
            )
            .optional()?
            .ok_or(StoreError::UnknownTimeEntry(id))
    }

    /// An incident's time entries, oldest first.
    pub fn time_entries(&self, incident: IncidentId) -> Result<Vec<TimeEntry>, StoreError> {
        let mut stmt = self.0.prepare(&format!(
            "SELECT {ENTRY_COLUMNS} FROM time_entries WHERE incident_id = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map([incident.0], entry_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// An incident's entries not queued for the PSA yet (waiting for a ticket, or held).
    pub fn unqueued_time_entries(
        &self,
        incident: IncidentId,
    ) -> Result<Vec<TimeEntry>, StoreError> {
        let mut stmt = self.0.prepare(&format!(
            "SELECT {ENTRY_COLUMNS} FROM time_entries t
             WHERE incident_id = ?1 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.time_entry_id = t.id)
             ORDER BY id"
        ))?;
        let rows = stmt.query_map([incident.0], entry_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TimeEntry> {
    Ok(TimeEntry {
        id: r.get(0)?,
        entry: NewTimeEntry {
            incident_id: IncidentId(r.get(1)?),
            technician: r.get(2)?,
            started_at: r.get(3)?,
            ended_at: r.get(4)?,
            minutes: r.get(5)?,
            billable: r.get(6)?,
            work_type: r.get(7)?,
            note: r.get(8)?,
            source: parse_col(r, 9, |s| match s {
                "timer" => Ok(EntrySource::Timer),
                "manual" => Ok(EntrySource::Manual),
                other => Err(format!("unknown time entry source '{other}'")),
            })?,
            held_reason: r.get(10)?,
        },
        psa_time_entry_id: r.get(11)?,
    })
}
