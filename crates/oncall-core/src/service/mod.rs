//! The user actions, one transaction each: what the CLI and the desktop app both call.

mod correction;
mod time;
mod views;

use std::{path::Path, sync::Arc};

pub use correction::TimeChange;
use jiff::Timestamp;
use serde::Serialize;
pub use time::{EntryChanges, TimeEntryView, TimerStatus};

use crate::{
    Clock,
    domain::{
        DomainError, Incident, IncidentId, NewIncident, Note, PsaWrite, Tenant, TimePolicy,
        validate_note,
    },
    store::{
        IncidentFilter, LinkReplaced, OutboxCounts, OutboxItem, Store, StoreError, Subject, Tx,
    },
};

/// Why a user action failed; nothing was changed when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// The input or the action broke a domain rule.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The result of an action together with the PSA write it queued, if any.
#[derive(Debug, Clone, Serialize)]
pub struct Acted<T> {
    /// What the action produced.
    #[serde(flatten)]
    pub value: T,
    /// The PSA write queued in the same transaction.
    pub queued: Option<OutboxItem>,
}

/// An incident with its notes and the state of its PSA writes.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentDetail {
    /// The incident.
    #[serde(flatten)]
    pub incident: Incident,
    /// Its notes, oldest first.
    pub notes: Vec<Note>,
    /// Its PSA writes, in order, with their delivery state.
    pub outbox: Vec<OutboxItem>,
    /// The time logged on it, with where each entry stands.
    pub time_entries: Vec<TimeEntryView>,
}

/// Where the PSA sync stands.
#[derive(Debug, Clone, Serialize)]
pub struct SyncStatus {
    /// Writes by delivery state.
    #[serde(flatten)]
    pub counts: OutboxCounts,
    /// The writes the PSA refused, waiting for a person (oldest first).
    pub refused_writes: Vec<OutboxItem>,
}

/// A technician's desk: the local database, the clock, and whether a PSA is configured.
pub struct Desk {
    store: Store,
    clock: Arc<dyn Clock>,
    psa_configured: bool,
    policy: TimePolicy,
}

impl Desk {
    /// Opens the database at `path`.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self, DeskError> {
        Ok(Self {
            store: Store::open(path)?,
            clock,
            psa_configured: false,
            policy: TimePolicy::default(),
        })
    }

    /// Sets how time is kept and billed.
    pub fn with_time_policy(mut self, policy: TimePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Says whether a PSA is configured: without one, acknowledging queues no ticket.
    pub fn with_psa_configured(mut self, configured: bool) -> Self {
        self.psa_configured = configured;
        self
    }

    /// Applies a changed configuration to an open desk (a PSA set up or removed, new time
    /// settings) without reopening it.
    pub fn configure(&mut self, psa_configured: bool, policy: TimePolicy) {
        self.psa_configured = psa_configured;
        self.policy = policy;
    }

    /// The database file.
    pub fn db_path(&self) -> &Path {
        self.store.path()
    }

    /// Adds a tenant.
    pub fn add_tenant(
        &mut self,
        id: &str,
        org_id: &str,
        company: &str,
    ) -> Result<Tenant, DeskError> {
        self.write_tenant(id, org_id, company, |tx, tenant, now| {
            tx.insert_tenant(tenant, now)
        })
    }

    /// Adds a tenant, or corrects the org id and company of an existing one.
    pub fn save_tenant(
        &mut self,
        id: &str,
        org_id: &str,
        company: &str,
    ) -> Result<Tenant, DeskError> {
        self.write_tenant(id, org_id, company, |tx, tenant, now| {
            tx.save_tenant(tenant, now)
        })
    }

    /// Validates a tenant and stores it with `store` (insert or upsert) in one transaction.
    fn write_tenant(
        &mut self,
        id: &str,
        org_id: &str,
        company: &str,
        store: impl FnOnce(&Tx<'_>, &Tenant, Timestamp) -> Result<(), StoreError>,
    ) -> Result<Tenant, DeskError> {
        let tenant = Tenant::new(id, org_id, company)?;
        let now = self.clock.now();
        self.store
            .write(|tx| store(tx, &tenant, now).map_err(DeskError::from))?;
        Ok(tenant)
    }

    /// Every tenant.
    pub fn tenants(&mut self) -> Result<Vec<Tenant>, DeskError> {
        self.store.read(|tx| tx.tenants().map_err(DeskError::from))
    }

    /// Raises a new incident.
    pub fn new_incident(&mut self, new: &NewIncident) -> Result<Incident, DeskError> {
        let valid = new.validate()?;
        let now = self.clock.now();
        self.store
            .write(|tx| tx.insert_incident(&valid, now).map_err(DeskError::from))
    }

    /// Raises many incidents at once, in one transaction (an alert feed's backlog, a demo):
    /// all are stored or none.
    pub fn new_incidents(&mut self, new: &[NewIncident]) -> Result<Vec<Incident>, DeskError> {
        let valid = new
            .iter()
            .map(NewIncident::validate)
            .collect::<Result<Vec<_>, _>>()?;
        let now = self.clock.now();
        self.store.write(|tx| {
            valid
                .iter()
                .map(|v| tx.insert_incident(v, now).map_err(DeskError::from))
                .collect()
        })
    }

    /// Where the PSA sync stands: how many writes wait, and the ones the PSA refused.
    pub fn sync_status(&mut self) -> Result<SyncStatus, DeskError> {
        self.store.read(|tx| {
            Ok(SyncStatus {
                counts: tx.outbox_counts()?,
                refused_writes: tx.refused_items()?,
            })
        })
    }

    /// The incidents matching `filter`, newest first.
    pub fn incidents(&mut self, filter: &IncidentFilter) -> Result<Vec<Incident>, DeskError> {
        self.store
            .read(|tx| tx.incidents(filter).map_err(DeskError::from))
    }

    /// One incident with its notes and PSA writes.
    pub fn incident(&mut self, id: IncidentId) -> Result<IncidentDetail, DeskError> {
        self.store.read(|tx| {
            Ok(IncidentDetail {
                incident: tx.incident(id)?,
                notes: tx.notes(id)?,
                outbox: tx.outbox(id)?,
                time_entries: time::entry_views(tx, id)?,
            })
        })
    }

    /// Acknowledges an incident; with a PSA configured, queues its ticket in the same transaction.
    pub fn acknowledge(
        &mut self,
        id: IncidentId,
        tech: &str,
    ) -> Result<Acted<Incident>, DeskError> {
        let now = self.clock.now();
        let psa = self.psa_configured;
        let policy = &self.policy;
        self.store.write(|tx| {
            let mut incident = tx.incident(id)?;
            incident.acknowledge(tech, now, psa)?;
            tx.update_incident(&incident)?;
            let tenant = tx.tenant(&incident.tenant_id)?;
            let queued = PsaWrite::on_acknowledge(&incident, &tenant)
                .map(|w| tx.enqueue(id, Subject::Incident, &w, now))
                .transpose()?;
            time::queue_waiting_entries(tx, &incident, now)?;
            let tech = incident_tech(&incident);
            // A timer the technician already runs on this incident (started while looking
            // into it) simply keeps running.
            let running = tx.timer(id, &tech)?.is_some_and(|t| t.is_running());
            if policy.auto_start && !running {
                time::start(tx, &incident, &tech, now)?;
            }
            Ok(Acted {
                value: incident,
                queued,
            })
        })
    }

    /// Adds a note; written after acknowledgement of a synced incident, it is queued for the
    /// PSA ticket in the same transaction. Durable when this returns.
    pub fn add_note(
        &mut self,
        id: IncidentId,
        author: &str,
        body: &str,
    ) -> Result<Acted<Note>, DeskError> {
        let (author, body) = validate_note(author, body)?;
        let now = self.clock.now();
        self.store.write(|tx| {
            let incident = tx.incident(id)?;
            let note = tx.insert_note(&incident, &author, &body, now)?;
            tx.clear_draft(id)?;
            let queued = PsaWrite::on_note(&incident, &note)
                .map(|w| tx.enqueue(id, Subject::Note(note.id), &w, now))
                .transpose()?;
            Ok(Acted {
                value: note,
                queued,
            })
        })
    }

    /// Resolves an incident; for a synced incident the resolution is queued in the same
    /// transaction.
    pub fn resolve(
        &mut self,
        id: IncidentId,
        tech: &str,
        summary: Option<&str>,
    ) -> Result<Acted<Incident>, DeskError> {
        self.resolve_billing(id, tech, summary, None)
    }

    /// [`Desk::resolve`], with the minutes the resolving technician's timer logs set by hand
    /// (`Some(0)` logs nothing: a false alarm bills nothing); other timers log as they ran.
    pub fn resolve_billing(
        &mut self,
        id: IncidentId,
        tech: &str,
        summary: Option<&str>,
        billed_minutes: Option<i64>,
    ) -> Result<Acted<Incident>, DeskError> {
        let now = self.clock.now();
        let policy = &self.policy;
        let billed = billed_minutes
            .map(|m| time::check_billed(m).map(|m| (tech.trim(), m)))
            .transpose()?;
        self.store.write(|tx| {
            let mut incident = tx.incident(id)?;
            incident.resolve(tech, summary, now)?;
            tx.update_incident(&incident)?;
            time::stop_all(tx, &incident, policy, now, billed)?;
            let queued = PsaWrite::on_resolve(&incident)
                .map(|w| tx.enqueue(id, Subject::Incident, &w, now))
                .transpose()?;
            Ok(Acted {
                value: incident,
                queued,
            })
        })
    }

    /// Links an existing PSA ticket by hand. Later notes, the resolution and the time sync to
    /// it; notes written before the link are not sent (even if queued), and a ticket creation
    /// still waiting is cancelled, with a warning when it may already have reached the PSA.
    pub fn link(&mut self, id: IncidentId, ticket_id: &str) -> Result<LinkReplaced, DeskError> {
        let now = self.clock.now();
        self.store.write(|tx| {
            let mut incident = tx.incident(id)?;
            incident.link(ticket_id)?;
            tx.update_incident(&incident)?;
            let ticket = incident.psa_ticket_id.clone().unwrap_or_default();
            let replaced = tx.replace_by_link(id, &ticket, now)?;
            time::queue_waiting_entries(tx, &incident, now)?;
            Ok(replaced)
        })
    }
}

/// The acknowledging technician (set by a successful acknowledgement).
fn incident_tech(incident: &Incident) -> String {
    incident.acknowledged_by.clone().unwrap_or_default()
}
