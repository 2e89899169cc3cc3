use anyhow::Result;
use oncall_core::{
    Desk,
    domain::{DefendDetails, IncidentId, NewIncident, TenantId},
    store::IncidentFilter,
};

use crate::{
    cli::{IncidentCommand, NewIncidentArgs},
    output::{Out, incident_line, incident_text},
};

pub fn run(desk: &mut Desk, out: &Out, cmd: IncidentCommand) -> Result<()> {
    match cmd {
        IncidentCommand::New(args) => {
            let tenant = super::config::or_default(
                args.tenant.clone(),
                oncall_core::settings::SettingKey::DefaultTenant,
                "--tenant",
            )?;
            let incident = desk.new_incident(&new_incident(*args, tenant))?;
            out.print(&incident, || incident.id.to_string())
        }
        IncidentCommand::List { status, tenant } => {
            let filter = IncidentFilter {
                status: status.as_deref().map(str::parse).transpose()?,
                tenant_id: tenant.as_deref().map(TenantId::parse).transpose()?,
            };
            let incidents = desk.incidents(&filter)?;
            out.print(&incidents, || {
                if incidents.is_empty() {
                    return "No incidents.".to_owned();
                }
                incidents
                    .iter()
                    .map(incident_line)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        IncidentCommand::Show { id } => {
            let detail = desk.incident(IncidentId(id))?;
            out.print(&detail, || incident_text(&detail))
        }
    }
}

fn new_incident(a: NewIncidentArgs, tenant_id: String) -> NewIncident {
    NewIncident {
        tenant_id,
        title: a.title,
        description: a.description,
        severity: a.severity,
        alert_source: a.source,
        product: a.product,
        defend: DefendDetails {
            device_name: a.device,
            hostname: a.hostname,
            mitre_technique_id: a.mitre_id,
            mitre_technique_name: a.mitre_name,
            recommended_action: a.action,
        },
    }
}
