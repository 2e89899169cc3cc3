use anyhow::Result;
use oncall_core::Desk;

use crate::{cli::TenantCommand, output::Out};

pub fn run(desk: &mut Desk, out: &Out, cmd: TenantCommand) -> Result<()> {
    match cmd {
        TenantCommand::Add {
            tenant_id,
            org_id,
            name,
        } => {
            let t = desk.add_tenant(&tenant_id, &org_id, &name)?;
            out.print(&t, || {
                format!("Added tenant {} ({}, org {})", t.id, t.company, t.org_id)
            })
        }
        TenantCommand::List => {
            let tenants = desk.tenants()?;
            out.print(&tenants, || {
                if tenants.is_empty() {
                    return "No tenants yet: add one with `oncall tenant add`.".to_owned();
                }
                tenants
                    .iter()
                    .map(|t| format!("{}\t{}\torg {}", t.id, t.company, t.org_id))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
    }
}
