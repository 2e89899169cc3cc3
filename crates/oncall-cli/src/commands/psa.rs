//! The PSA from the command line: its configuration, delivery right after an action,
//! `oncall sync` and `oncall psa check`.

use std::{
    path::Path,
    sync::{Arc, OnceLock},
    time::Duration,
};

use anyhow::{Context, Result, anyhow};
use oncall_core::{
    SystemClock,
    domain::IncidentId,
    psa::{OnePsaClient, PsaConfig},
    settings::PsaResolution,
    sync::{SyncEngine, SyncOptions, SyncReport},
};
use serde::Serialize;

use super::config;
use crate::{cli::SyncArgs, output::Out};

/// How long an action waits for the PSA before leaving its writes queued.
const DELIVERY_WAIT: Duration = Duration::from_secs(10);

/// The PSA as configured: PSA_API_URL / PSA_SERVICE_KEY first, then psa.url from the settings
/// file and the key from the keychain. Resolved once per process: an action asks twice (is a
/// PSA configured? then deliver), and the keychain need only be asked once.
fn resolution() -> &'static PsaResolution {
    static RESOLVED: OnceLock<PsaResolution> = OnceLock::new();
    RESOLVED.get_or_init(|| match config::load() {
        Ok(c) => c.psa(),
        Err(e) => PsaResolution::Unusable(format!("{e:#}")),
    })
}

/// Whether a PSA is configured, usable right now or not: then acknowledging queues a ticket,
/// which waits in the queue until the PSA can be used.
pub fn configured() -> bool {
    resolution().is_configured()
}

/// Why no PSA is configured, in a few words (empty when one is).
pub fn unconfigured_reason() -> &'static str {
    match resolution() {
        PsaResolution::NotConfigured(why) => why,
        _ => "",
    }
}

/// The checked PSA configuration, `None` when not configured; an error when one is configured
/// but cannot be used (an invalid value, the keychain unavailable).
pub fn config() -> Result<Option<PsaConfig>> {
    match resolution() {
        PsaResolution::Ready(c) => Ok(Some(c.clone())),
        PsaResolution::NotConfigured(_) => Ok(None),
        PsaResolution::Unusable(why) => Err(anyhow!("{why}")),
    }
}

/// [`config`], or an error saying how to configure the PSA.
fn required_config() -> Result<PsaConfig> {
    config()?.with_context(|| {
        format!(
            "the PSA is not configured: set PSA_API_URL and PSA_SERVICE_KEY, or run `oncall \
             config set psa.url URL` and `oncall login psa` ({})",
            unconfigured_reason()
        )
    })
}

pub(super) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn engine(db: &Path, config: PsaConfig, options: SyncOptions) -> Result<Arc<SyncEngine>> {
    let client = OnePsaClient::new(config)?;
    Ok(Arc::new(SyncEngine::open(
        db,
        client,
        Arc::new(SystemClock),
        options,
    )?))
}

/// Sends an incident's queued writes right after an action, waiting a bounded time. Returns
/// `None` when there is no PSA to send to; a configuration error is reported, not raised: the
/// action itself is saved already.
pub fn deliver_now(db: &Path, incident: IncidentId) -> Result<Option<SyncReport>> {
    let config = match config() {
        Ok(Some(c)) => c,
        Ok(None) => return Ok(None),
        Err(e) => {
            return Ok(Some(SyncReport {
                stopped: Some(format!("{e:#}; the writes stay queued")),
                ..SyncReport::default()
            }));
        }
    };
    let engine = engine(db, config, SyncOptions::default())?;
    let report = runtime()?.block_on(engine.deliver_incident(incident, DELIVERY_WAIT))?;
    Ok(Some(report))
}

/// `oncall sync`.
pub fn sync(db: &Path, out: &Out, args: &SyncArgs) -> Result<()> {
    let config = required_config()?;
    if args.retry {
        let mut store = oncall_core::store::Store::open(db)?;
        let n = store.write(|tx| tx.retry_failed(None))?;
        tracing::info!(target: "sync", retried = n, "parked writes put back in the queue");
    }
    let options = SyncOptions {
        concurrency: args.concurrency,
        base_backoff: Duration::from_millis(args.backoff_ms),
        max_backoff: Duration::from_millis(args.max_backoff_ms.max(args.backoff_ms)),
        ..SyncOptions::default()
    };
    let engine = engine(db, config, options)?;
    let rt = runtime()?;
    if args.watch {
        return rt.block_on(watch(&engine, out));
    }
    let timeout = Duration::from_secs(args.timeout.unwrap_or(120));
    let report = rt.block_on(engine.drain(Some(tokio::time::Instant::now() + timeout)))?;
    out.print(&report, || report_text(&report))?;
    if report.stopped.is_some() || report.failed > 0 {
        anyhow::bail!("some writes were refused by the PSA (see above)");
    }
    Ok(())
}

async fn watch(engine: &Arc<SyncEngine>, out: &Out) -> Result<()> {
    loop {
        let round = engine.drain(Some(tokio::time::Instant::now() + Duration::from_secs(30)));
        let report = tokio::select! {
            r = round => r?,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        if report.delivered > 0 || !report.parked.is_empty() {
            out.print(&report, || report_text(&report))?;
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

/// A drain's report in words.
pub fn report_text(r: &SyncReport) -> String {
    let mut lines = vec![format!(
        "Delivered {} write(s) to the PSA; {} waiting, {} refused.",
        r.delivered, r.pending, r.failed
    )];
    for p in &r.parked {
        lines.push(format!(
            "  refused: incident {} {} (item {}): {}",
            p.incident_id, p.kind, p.id, p.reason
        ));
    }
    if let Some(why) = &r.stopped {
        lines.push(format!("Stopped: {why}"));
    }
    if r.failed > 0 {
        lines.push("Fix the cause, then run `oncall sync --retry`.".into());
    }
    lines.join("\n")
}

#[derive(Serialize)]
struct Check {
    ok: bool,
    url: String,
    tenants: Vec<String>,
    message: String,
}

/// `oncall psa check`.
pub fn check(out: &Out) -> Result<()> {
    let config = required_config()?;
    let url = config.url.to_string();
    let client = OnePsaClient::new(config)?;
    let result = runtime()?.block_on(client.health());
    let check = match result {
        Ok(h) => Check {
            ok: h.status == "ok",
            message: format!(
                "The PSA at {url} answered '{}' and accepts the key for {} tenant(s).",
                h.status,
                h.tenants.len()
            ),
            url,
            tenants: h.tenants,
        },
        Err(e) => Check {
            ok: false,
            message: e.to_string(),
            url,
            tenants: Vec::new(),
        },
    };
    out.print(&check, || {
        let mut text = check.message.clone();
        if !check.tenants.is_empty() {
            text.push_str(&format!("\nTenants: {}", check.tenants.join(", ")));
        }
        text
    })?;
    if !check.ok {
        anyhow::bail!("the PSA check failed");
    }
    Ok(())
}
