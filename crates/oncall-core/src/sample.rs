//! The sample tenants and incidents both demos start from (the CLI's `oncall demo` and the
//! app's demo mode), so a newcomer meets the same shift in either.

use crate::domain::{DefendDetails, NewIncident};

/// The sample tenants: id, PSA org id, company.
pub const TENANTS: [(&str, &str, &str); 3] = [
    ("acme", "org-acme", "ACME Corp"),
    ("globex", "org-globex", "Globex Inc"),
    ("initech", "org-initech", "Initech"),
];

/// A critical CPU alert at ACME, from the RMM.
pub fn cpu_critical() -> NewIncident {
    rmm(
        "acme",
        "CPU critical on client-server-01",
        "critical",
        "CPU monitor",
        "CPU above 95% for 10 minutes.",
    )
}

/// A critical Defend (EDR) detection at Globex, with its device and MITRE technique.
pub fn suspicious_powershell() -> NewIncident {
    NewIncident {
        tenant_id: "globex".into(),
        title: "Suspicious PowerShell on FIN-LAPTOP-7".into(),
        description: "An encoded PowerShell command started from an Office macro.".into(),
        severity: "critical".into(),
        alert_source: Some("EDR".into()),
        product: Some("Defend".into()),
        defend: DefendDetails {
            device_name: Some("FIN-LAPTOP-7".into()),
            hostname: Some("fin-laptop-7.globex.local".into()),
            mitre_technique_id: Some("T1059.001".into()),
            mitre_technique_name: Some("PowerShell".into()),
            recommended_action: Some("Isolate the device and reset the user's credentials.".into()),
        },
    }
}

/// Every sample incident, oldest first (the two above come last, so they top the list).
pub fn incidents() -> Vec<NewIncident> {
    vec![
        rmm(
            "initech",
            "Backup job failed on nas-02",
            "medium",
            "Backup monitor",
            "The nightly backup ended with error 0x80070005 (access denied).",
        ),
        rmm(
            "globex",
            "Printer queue stuck on PRN-3F",
            "low",
            "Print monitor",
            "Twelve jobs waiting for more than 30 minutes.",
        ),
        rmm(
            "acme",
            "Certificate expires in 5 days on mail.acme.example",
            "high",
            "Certificate monitor",
            "The TLS certificate of the mail gateway expires on Friday.",
        ),
        rmm(
            "initech",
            "Memory above 90% on sql-01",
            "high",
            "Memory monitor",
            "Available memory under 10% for 20 minutes; SQL Server is the top consumer.",
        ),
        suspicious_powershell(),
        cpu_critical(),
    ]
}

/// `count` generated disk alerts spread over the sample tenants and severities, to try the list
/// at scale.
pub fn generated(count: usize) -> impl Iterator<Item = NewIncident> {
    (0..count).map(|i| NewIncident {
        title: format!("Disk space low on srv-{i:05} (C: below 10%)"),
        description: "Generated for trying the list at scale.".into(),
        ..rmm(
            TENANTS[i % TENANTS.len()].0,
            "",
            ["low", "medium", "high", "critical"][i % 4],
            "Disk monitor",
            "",
        )
    })
}

/// An incident from the RMM.
fn rmm(tenant: &str, title: &str, severity: &str, source: &str, description: &str) -> NewIncident {
    NewIncident {
        tenant_id: tenant.into(),
        title: title.into(),
        description: description.into(),
        severity: severity.into(),
        alert_source: Some(source.into()),
        product: Some("RMM".into()),
        ..NewIncident::default()
    }
}
