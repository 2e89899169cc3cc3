use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use super::{StoreError, Tx, parse_col};
use crate::domain::{Tenant, TenantId};

impl Tx<'_> {
    /// Adds a tenant; its id must be new.
    pub fn insert_tenant(&self, tenant: &Tenant, now: Timestamp) -> Result<(), StoreError> {
        let inserted = self.0.execute(
            "INSERT INTO tenants (id, org_id, company, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO NOTHING",
            params![tenant.id.as_str(), tenant.org_id, tenant.company, now],
        )?;
        if inserted == 0 {
            return Err(StoreError::DuplicateTenant(tenant.id.to_string()));
        }
        Ok(())
    }

    /// Adds a tenant, or changes the org id and company of the one with this id.
    pub fn save_tenant(&self, tenant: &Tenant, now: Timestamp) -> Result<(), StoreError> {
        self.0.execute(
            "INSERT INTO tenants (id, org_id, company, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET org_id = ?2, company = ?3",
            params![tenant.id.as_str(), tenant.org_id, tenant.company, now],
        )?;
        Ok(())
    }

    /// The tenant with this id.
    pub fn tenant(&self, id: &TenantId) -> Result<Tenant, StoreError> {
        self.0
            .query_row(
                "SELECT id, org_id, company FROM tenants WHERE id = ?1",
                [id.as_str()],
                tenant_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::UnknownTenant(id.to_string()))
    }

    /// Every tenant, by id.
    pub fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        let mut stmt = self
            .0
            .prepare("SELECT id, org_id, company FROM tenants ORDER BY id")?;
        let rows = stmt.query_map([], tenant_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn tenant_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Tenant> {
    Ok(Tenant {
        id: parse_col(r, 0, TenantId::parse)?,
        org_id: r.get(1)?,
        company: r.get(2)?,
    })
}
