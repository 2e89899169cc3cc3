//! Demo mode: the built-in PSA simulator, in this process on loopback, with sample tenants and
//! incidents, so that a newcomer sees a ticket appear on Acknowledge without configuring
//! anything. Its database and the simulator's state live apart from real ones and persist.

use std::path::PathBuf;

use anyhow::{Context, Result};
use oncall_core::{domain::NewIncident, live::Live, paths, sample};
use psa_sim::{RunningSim, SimConfig};
use serde_json::Value;

/// The simulator's service key (it listens on loopback only).
pub const KEY: &str = "demo-service-key";
/// Who acts in the demo when no technician is set.
pub const TECHNICIAN: &str = "Demo Technician";

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
        for (id, _, company) in sample::TENANTS {
            config = config.tenant(id, company);
        }
        config.state = Some(dir.join("psa-sim-state.json"));
        let sim = tauri::async_runtime::block_on(psa_sim::start(config, "127.0.0.1:0".parse()?))
            .context("cannot start the demo PSA simulator")?;
        Ok(Self {
            sim,
            dir,
            // The simulator is plain HTTP on loopback: no root certificates to load at start.
            http: reqwest::Client::builder().tls_certs_only([]).build()?,
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
        for (id, org, company) in sample::TENANTS {
            live.act(None, |d| d.add_tenant(id, org, company).map(|_| ()))?;
        }
        let extra: usize = std::env::var("ONCALL_DEMO_INCIDENTS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let incidents: Vec<NewIncident> = sample::generated(extra)
            .chain(sample::incidents())
            .collect();
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
