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
    live::{ConfigSource, Live, LiveEvent},
    problem::Problem,
    psa::{OnePsaClient, PsaConfig},
    settings::PsaResolution,
    settings::{Config, Env},
    sync::{SyncEngine, SyncOptions, SyncReport},
    view::{AttemptResult, SyncLogEntry},
};
use serde::Serialize;
use tokio::sync::broadcast;

use super::config;
use crate::{cli::SyncArgs, fixes, output::Out};

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
        let n = store.write(|tx| tx.retry_refused(None))?;
        tracing::info!(
            target: "sync",
            retried = n,
            "refused writes put back in the queue, under a new idempotency key where the refusal \
             proves nothing was applied"
        );
    }
    let options = SyncOptions {
        concurrency: args.concurrency,
        base_backoff: Duration::from_millis(args.backoff_ms),
        max_backoff: Duration::from_millis(args.max_backoff_ms.max(args.backoff_ms)),
        ..SyncOptions::default()
    };
    let rt = runtime()?;
    if args.watch {
        return rt.block_on(watch(db, options, out));
    }
    let engine = engine(db, config, options)?;
    let timeout = Duration::from_secs(args.timeout.unwrap_or(120));
    let report = rt.block_on(engine.drain(Some(tokio::time::Instant::now() + timeout)))?;
    out.print(&report, || report_text(&report))?;
    if report.stopped.is_some() || report.refused > 0 {
        anyhow::bail!("some writes were refused by the PSA (see above)");
    }
    Ok(())
}

/// `oncall sync --watch`: the same long-lived desk as the desktop app, delivering what any
/// process queues as soon as it is queued, and printing each attempt, until Ctrl-C.
async fn watch(db: &Path, options: SyncOptions, out: &Out) -> Result<()> {
    let (profile, file) = config::location()?;
    let source: ConfigSource =
        Arc::new(move || Config::load(Env::from_process(), file.clone(), profile.clone()));
    let live = Live::open(db, source, Arc::new(SystemClock), options)?;
    let mut events = live.subscribe();
    let running = tokio::spawn(Arc::clone(&live).run());
    let result = loop {
        let event = tokio::select! {
            e = events.recv() => e,
            _ = tokio::signal::ctrl_c() => break Ok(()),
        };
        match event {
            Ok(LiveEvent::Attempt(a)) => out.print(&a, || attempt_text(&a))?,
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => break Ok(()),
        }
    };
    running.abort();
    result
}

/// One delivery attempt in words.
fn attempt_text(a: &SyncLogEntry) -> String {
    let what = match a.result {
        AttemptResult::Delivered => "delivered",
        AttemptResult::Retry => "will retry",
        AttemptResult::Refused => "REFUSED",
    };
    format!(
        "{what}: incident {} {} (item {}): {}",
        a.incident_id, a.kind, a.outbox_id, a.message
    )
}

/// A drain's report in words.
pub fn report_text(r: &SyncReport) -> String {
    let mut lines = vec![format!(
        "Delivered {} write(s) to the PSA; {} waiting, {} refused.",
        r.delivered, r.pending, r.refused
    )];
    for p in &r.refused_now {
        lines.push(format!(
            "  refused: incident {} {} (item {}): {}",
            p.incident_id, p.kind, p.id, p.reason
        ));
    }
    if let Some(why) = &r.stopped {
        lines.push(format!("Stopped: {why}"));
    }
    if r.refused > 0 {
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
    fix: Option<String>,
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
            fix: None,
        },
        Err(e) => Check {
            ok: false,
            message: e.to_string(),
            url,
            tenants: Vec::new(),
            fix: Problem::from(&e).remedy.as_ref().map(fixes::words),
        },
    };
    out.print(&check, || {
        let mut text = check.message.clone();
        if !check.tenants.is_empty() {
            text.push_str(&format!("\nTenants: {}", check.tenants.join(", ")));
        }
        if let Some(fix) = &check.fix {
            text.push_str(&format!("\nfix: {fix}"));
        }
        text
    })?;
    if !check.ok {
        anyhow::bail!("the PSA check failed");
    }
    Ok(())
}
