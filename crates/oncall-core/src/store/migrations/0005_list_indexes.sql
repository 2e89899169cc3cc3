-- Indexes that let the incident list count its matches without reading every incident: a
-- severity-and-tenant filter counts over a covering index, and a search finds a PSA ticket id
-- without a scan (most incidents have none, hence the partial index).
CREATE INDEX incidents_by_severity_tenant ON incidents (severity, tenant_id);
CREATE INDEX incidents_by_ticket ON incidents (psa_ticket_id) WHERE psa_ticket_id IS NOT NULL;
