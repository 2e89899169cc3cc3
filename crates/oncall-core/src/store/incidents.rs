use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use super::{StoreError, Tx, parse_col};
use crate::domain::{DefendDetails, Incident, IncidentId, Status, TenantId, ValidIncident};

/// Which incidents to list.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    /// Only those in this state.
    pub status: Option<Status>,
    /// Only those of this tenant.
    pub tenant_id: Option<TenantId>,
}

const COLUMNS: &str = "id, tenant_id, title, description, severity, status, alert_source, product, \
    device_name, hostname, mitre_technique_id, mitre_technique_name, recommended_action, \
    created_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by, resolution_summary, \
    psa_ticket_id, syncs_to_psa";

impl Tx<'_> {
    /// Stores a new incident raised at `now`; its tenant must exist.
    pub fn insert_incident(
        &self,
        new: &ValidIncident,
        now: Timestamp,
    ) -> Result<Incident, StoreError> {
        self.tenant(&new.tenant_id)?;
        let d = &new.defend;
        self.0.execute(
            "INSERT INTO incidents (tenant_id, title, description, severity, status, alert_source,
                 product, device_name, hostname, mitre_technique_id, mitre_technique_name,
                 recommended_action, created_at)
             VALUES (?1, ?2, ?3, ?4, 'new', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                new.tenant_id.as_str(),
                new.title,
                new.description,
                new.severity.as_str(),
                new.alert_source,
                new.product,
                d.device_name,
                d.hostname,
                d.mitre_technique_id,
                d.mitre_technique_name,
                d.recommended_action,
                now,
            ],
        )?;
        self.incident(IncidentId(self.0.last_insert_rowid()))
    }

    /// The incident with this id.
    pub fn incident(&self, id: IncidentId) -> Result<Incident, StoreError> {
        self.0
            .query_row(
                &format!("SELECT {COLUMNS} FROM incidents WHERE id = ?1"),
                [id.0],
                incident_row,
            )
            .optional()?
            .ok_or(StoreError::UnknownIncident(id))
    }

    /// The incidents that match `filter`, newest first.
    pub fn incidents(&self, filter: &IncidentFilter) -> Result<Vec<Incident>, StoreError> {
        let mut stmt = self.0.prepare(&format!(
            "SELECT {COLUMNS} FROM incidents
             WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR tenant_id = ?2)
             ORDER BY id DESC"
        ))?;
        let rows = stmt.query_map(
            params![
                filter.status.map(|s| s.as_str()),
                filter.tenant_id.as_ref().map(|t| t.as_str())
            ],
            incident_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Writes back what a user action changed: status, who and when, ticket link.
    pub fn update_incident(&self, i: &Incident) -> Result<(), StoreError> {
        let changed = self.0.execute(
            "UPDATE incidents SET status = ?2, acknowledged_at = ?3, acknowledged_by = ?4,
                 resolved_at = ?5, resolved_by = ?6, resolution_summary = ?7,
                 psa_ticket_id = ?8, syncs_to_psa = ?9
             WHERE id = ?1",
            params![
                i.id.0,
                i.status.as_str(),
                i.acknowledged_at,
                i.acknowledged_by,
                i.resolved_at,
                i.resolved_by,
                i.resolution_summary,
                i.psa_ticket_id,
                i.syncs_to_psa,
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::UnknownIncident(i.id));
        }
        Ok(())
    }
}

fn incident_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Incident> {
    Ok(Incident {
        id: IncidentId(r.get(0)?),
        tenant_id: parse_col(r, 1, TenantId::parse)?,
        title: r.get(2)?,
        description: r.get(3)?,
        severity: parse_col(r, 4, str::parse)?,
        status: parse_col(r, 5, str::parse)?,
        alert_source: r.get(6)?,
        product: r.get(7)?,
        defend: DefendDetails {
            device_name: r.get(8)?,
            hostname: r.get(9)?,
            mitre_technique_id: r.get(10)?,
            mitre_technique_name: r.get(11)?,
            recommended_action: r.get(12)?,
        },
        created_at: r.get(13)?,
        acknowledged_at: r.get(14)?,
        acknowledged_by: r.get(15)?,
        resolved_at: r.get(16)?,
        resolved_by: r.get(17)?,
        resolution_summary: r.get(18)?,
        psa_ticket_id: r.get(19)?,
        syncs_to_psa: r.get(20)?,
    })
}
