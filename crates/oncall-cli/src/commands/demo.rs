//! `oncall demo`: a short on-call shift against the built-in PSA simulator, on a fresh demo
//! database, so a new user sees the whole loop without configuring anything.

use std::{sync::Arc, time::Duration};

use anyhow::{Context, Result};
use oncall_core::{
    Desk, SystemClock,
    domain::{IncidentId, ManualEntry, TimePolicy},
    psa::{OnePsaClient, PsaConfig},
    sample,
    secrets::Secret,
    sync::{SyncEngine, SyncOptions},
};
use psa_sim::SimConfig;

/// The demo simulator's service key (it only ever listens on loopback).
const DEMO_KEY: &str = "demo-service-key";

pub fn run(keep: bool) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let sim_config = sample::TENANTS
        .iter()
        .fold(SimConfig::new(DEMO_KEY), |config, (id, _, company)| {
            config.tenant(*id, *company)
        });
    let sim = rt.block_on(psa_sim::start(sim_config, "127.0.0.1:0".parse()?))?;
    let url = sim.base_url();
    let dir = oncall_core::paths::data_dir()
        .context("no home directory for the demo database")?
        .join("demo");
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("demo.sqlite3");
    // Every demo starts from a fresh database (and its WAL files).
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    println!(
        "oncall-desk demo: The One PSA simulated at {url}; demo database {}\n",
        db.display()
    );

    // The demo logs its time by hand; a timer running for milliseconds would add a noisy entry.
    let mut desk = Desk::open(&db, Arc::new(SystemClock))?
        .with_psa_configured(true)
        .with_time_policy(TimePolicy {
            auto_start: false,
            ..TimePolicy::default()
        });
    for (id, org, company) in sample::TENANTS {
        desk.add_tenant(id, org, company)?;
    }
    let cpu = desk.new_incident(&sample::cpu_critical())?;
    let edr = desk.new_incident(&sample::suspicious_powershell())?;
    println!(
        "1. Two critical incidents came in: #{} (ACME, CPU) and #{} (Globex, Defend).",
        cpu.id, edr.id
    );

    desk.acknowledge(cpu.id, "Dana")?;
    desk.add_note(
        cpu.id,
        "Dana",
        "A backup job is pinning the CPU; rescheduling it.",
    )?;
    desk.add_time(
        cpu.id,
        &ManualEntry {
            technician: "Dana".into(),
            minutes: 18,
            note: Some("Remote session: rescheduled the backup job".into()),
            ..ManualEntry::default()
        },
    )?;
    desk.resolve(
        cpu.id,
        "Dana",
        Some("Backup moved to 02:00; CPU back to normal."),
    )?;
    desk.acknowledge(edr.id, "Lee")?;
    desk.add_note(
        edr.id,
        "Lee",
        "Device isolated from the network; collecting logs.",
    )?;
    println!(
        "2. Dana acknowledged, noted, logged 18 minutes and resolved #{}; Lee is on #{}.",
        cpu.id, edr.id
    );

    let client = OnePsaClient::new(PsaConfig::new(&url, Secret::new(DEMO_KEY))?)?;
    let engine = Arc::new(SyncEngine::open(
        &db,
        client,
        Arc::new(SystemClock),
        SyncOptions::default(),
    )?);
    let report =
        rt.block_on(engine.drain(Some(tokio::time::Instant::now() + Duration::from_secs(30))))?;
    println!(
        "3. The sync engine delivered {} writes to the PSA.\n",
        report.delivered
    );

    for id in [cpu.id, edr.id] {
        print_ticket(&rt, &mut desk, &url, id)?;
    }
    if keep {
        println!(
            "The simulator keeps running. Try, in another terminal:\n  \
             export ONCALL_DB={} PSA_API_URL={url} PSA_SERVICE_KEY={DEMO_KEY}\n  \
             oncall note {} --author Lee \"Credentials reset\"\n  oncall resolve {} --tech Lee\n\
             Ctrl-C stops it.",
            db.display(),
            edr.id,
            edr.id
        );
        rt.block_on(tokio::signal::ctrl_c())?;
    }
    rt.block_on(sim.shutdown());
    Ok(())
}

/// Shows the ticket as the PSA holds it, read back through its API.
fn print_ticket(
    rt: &tokio::runtime::Runtime,
    desk: &mut Desk,
    url: &str,
    id: IncidentId,
) -> Result<()> {
    let incident = desk.incident(id)?.incident;
    let ticket = incident
        .psa_ticket_id
        .context("the ticket was not created")?;
    let t: serde_json::Value = rt.block_on(async {
        reqwest::Client::new()
            .get(format!("{url}/api/v1/tickets/{ticket}"))
            .header("X-Integration-Key", DEMO_KEY)
            .send()
            .await?
            .json()
            .await
    })?;
    let s = |k: &str| t[k].as_str().unwrap_or("").to_owned();
    println!(
        "PSA ticket {ticket} for incident #{id}: {} [{}]",
        s("title"),
        s("status")
    );
    println!(
        "  {} | {} | source {} | assigned to {}",
        s("priority"),
        s("company"),
        s("source"),
        s("assigned_tech")
    );
    for line in s("description").lines() {
        println!("  | {line}");
    }
    for n in t["notes"].as_array().into_iter().flatten() {
        println!(
            "  internal note by {}: {}",
            n["author"].as_str().unwrap_or(""),
            n["body"].as_str().unwrap_or("")
        );
    }
    for e in t["time_entries"].as_array().into_iter().flatten() {
        println!(
            "  time: {} min {} by {}",
            e["minutes"],
            e["work_type"].as_str().unwrap_or(""),
            e["technician"].as_str().unwrap_or("")
        );
    }
    if let Some(r) = t["resolution"].as_object() {
        println!(
            "  resolved by {}: {}",
            r["resolved_by"].as_str().unwrap_or(""),
            r["summary"].as_str().unwrap_or("")
        );
    }
    println!();
    Ok(())
}
