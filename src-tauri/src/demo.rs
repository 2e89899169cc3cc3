//! Demo mode: the built-in PSA simulator, in this process on loopback, with sample tenants and
//! incidents, so that a newcomer sees a ticket appear on Acknowledge without configuring
//! anything. Its database and the simulator's state live apart from real ones and persist.

use std::path::PathBuf;

use anyhow::{Context, Result};
use oncall_core::{
    domain::{DefendDetails, NewIncident},
    live::Live,
    paths,
};
use psa_sim::{RunningSim, SimConfig};
use serde_json::Value;

/// The simulator's service key (it listens on loopback only).
pub const KEY: &str = "demo-service-key";
/// Who acts in the demo when no technician is set.
pub const TECHNICIAN: &str = "Demo Technician";

const TENANTS: [(&str, &str, &str); 3] = [
    ("acme", "org-acme", "ACME Corp"),
    ("globex", "org-globex", "Globex Inc"),
    ("initech", "org-initech", "Initech"),
];

/// The running simulator and where the demo keeps its files.
pub struct Demo {
    sim: RunningSim,
    dir: PathBuf,
    http: reqwest::Client,
}

impl Demo {
    /// Starts the simulator on a free loopback port, with its state kept beside the demo
    /// database.
    pub fn start() -> Result<Self> {
        let dir = paths::data_dir()
            .context("no home directory for the demo")?
            .join("demo-app");
        std::fs::create_dir_all(&dir)?;
        let mut config = SimConfig::new(KEY);
        for (id, _, company) in TENANTS {
            config = config.tenant(id, company);
        }
        config.state = Some(dir.join("psa-sim-state.json"));
        let sim = tauri::async_runtime::block_on(psa_sim::start(config, "127.0.0.1:0".parse()?))
            .context("cannot start the demo PSA simulator")?;
        Ok(Self {
            sim,
            dir,
            http: reqwest::Client::new(),
        })
    }

    /// The simulator's base URL.
    pub fn url(&self) -> String {
        self.sim.base_url()
    }

    /// The demo database.
    pub fn db(&self) -> PathBuf {
        self.dir.join("demo.sqlite3")
    }

    /// Adds the sample tenants and incidents to an empty demo database (and
    /// `ONCALL_DEMO_INCIDENTS` more generated ones, to try the list at scale).
    pub fn seed(&self, live: &Live) -> Result<()> {
        if !live.read(|d| d.tenants())?.is_empty() {
            return Ok(());
        }
        for (id, org, company) in TENANTS {
            live.act(None, |d| d.add_tenant(id, org, company).map(|_| ()))?;
        }
        let extra: usize = std::env::var("ONCALL_DEMO_INCIDENTS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let generated = (0..extra).map(|i| NewIncident {
            tenant_id: TENANTS[i % 3].0.into(),
            title: format!("Disk space low on srv-{:05} (C: below 10%)", i),
            description: "Generated for trying the list at scale.".into(),
            severity: ["low", "medium", "high", "critical"][i % 4].into(),
            alert_source: Some("Disk monitor".into()),
            product: Some("RMM".into()),
            ..NewIncident::default()
        });
        let incidents: Vec<NewIncident> = generated.chain(samples()).collect();
        live.act(None, |d| d.new_incidents(&incidents))?;
        Ok(())
    }

    /// The ticket as the simulated PSA holds it, with its notes, time entries and resolution.
    pub async fn ticket(&self, id: &str) -> Result<Option<Value>> {
        let tickets: Vec<Value> = self
            .http
            .get(format!("{}/_sim/tickets", self.url()))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(tickets.into_iter().find(|t| t["id"] == id))
    }
}

fn samples() -> Vec<NewIncident> {
    let rmm =
        |tenant: &str, title: &str, severity: &str, source: &str, description: &str| NewIncident {
            tenant_id: tenant.into(),
            title: title.into(),
            description: description.into(),
            severity: severity.into(),
            alert_source: Some(source.into()),
            product: Some("RMM".into()),
            ..NewIncident::default()
        };
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
                recommended_action: Some(
                    "Isolate the device and reset the user's credentials.".into(),
                ),
            },
        },
        rmm(
            "acme",
            "CPU critical on client-server-01",
            "critical",
            "CPU monitor",
            "CPU above 95% for 10 minutes.",
        ),
    ]
}
