//! The engine's life in a long-running process: follow the configuration, drain the outbox when
//! woken, watch the PSA's reachability, and try everything at once when it comes back.

use std::{
    sync::{Arc, atomic::Ordering},
    time::Duration,
};

use super::{Live, lock};
use crate::{
    psa::{OnePsaClient, PsaConfig, PsaError},
    settings::PsaResolution,
    sync::SyncEngine,
    view::PsaState,
};

/// How often the configuration is read again and the PSA asked whether it is there, when idle
/// or while writes wait for it.
const CHECK_EVERY: Duration = Duration::from_secs(15);

/// The engine for one PSA configuration.
struct Current {
    config: PsaConfig,
    engine: Arc<SyncEngine>,
    client: OnePsaClient,
}

pub(super) async fn run(live: Arc<Live>) {
    let mut current: Option<Current> = None;
    loop {
        let due = live.reconfigure.swap(false, Ordering::SeqCst) || current.is_none();
        if due {
            current = follow_config(&live, current).await;
        }
        if let Some(c) = &current {
            // Asked on schedule, or while it is not known to answer: an action's write goes
            // out at once, not after a health check.
            if due || live.health() != PsaState::Online {
                check(&live, &c.client).await;
            }
            if !lock(&live.health).blocked {
                drain(&live, c).await;
            }
        }
        live.publish_status();
        tokio::select! {
            () = live.wake.notified() => {}
            () = tokio::time::sleep(CHECK_EVERY) => live.reconfigure.store(true, Ordering::SeqCst),
        }
    }
}

/// Reads the configuration; keeps the engine while the PSA's URL and key stay the same.
async fn follow_config(live: &Arc<Live>, current: Option<Current>) -> Option<Current> {
    let resolving = Arc::clone(live);
    let resolution = tokio::task::spawn_blocking(move || resolving.resolve())
        .await
        .ok()?;
    let PsaResolution::Ready(config) = resolution else {
        return None;
    };
    if let Some(c) = current.filter(|c| same_psa(&c.config, &config)) {
        return Some(c);
    }
    let client = match OnePsaClient::new(config.clone()) {
        Ok(c) => c,
        Err(e) => {
            live.set_health(PsaState::Offline, Some(&e.to_string()));
            return None;
        }
    };
    let engine = SyncEngine::open(
        live.db_path(),
        client.clone(),
        Arc::clone(&live.clock),
        live.options.clone(),
    );
    match engine {
        Ok(engine) => Some(Current {
            config,
            engine: Arc::new(engine.with_wake(Arc::clone(&live.wake))),
            client,
        }),
        Err(e) => {
            live.set_health(PsaState::Offline, Some(&e.to_string()));
            None
        }
    }
}

/// Whether two configurations name the same PSA with the same key.
fn same_psa(a: &PsaConfig, b: &PsaConfig) -> bool {
    a.url == b.url && a.key.expose() == b.key.expose()
}

/// Asks the PSA whether it is there and accepts the key. When it comes back, the writes that
/// were backing off are made due at once rather than after their backoff.
async fn check(live: &Live, client: &OnePsaClient) {
    let was = live.health();
    let answer = client.health().await;
    lock(&live.health).blocked = matches!(
        answer,
        Err(PsaError::Unauthorized | PsaError::Redirected { .. })
    );
    match answer {
        Ok(health) => {
            live.set_health(PsaState::Online, None);
            lock(&live.health).tenants = Some(health.tenants);
            if was != PsaState::Online {
                let _ = live.act(None, |d| d.make_all_due());
            }
        }
        Err(PsaError::Unauthorized) => {
            live.set_health(
                PsaState::KeyRefused,
                Some(&PsaError::Unauthorized.to_string()),
            );
        }
        Err(e) => live.set_health(PsaState::Offline, Some(&e.to_string())),
    }
}

/// Delivers until nothing is due, while looking in on the PSA now and then: a drain waiting out
/// a long backoff is cut short when the PSA answers again, or when the configuration changes.
async fn drain(live: &Arc<Live>, c: &Current) {
    let drain = c.engine.drain(None);
    tokio::pin!(drain);
    loop {
        tokio::select! {
            report = &mut drain => {
                match report {
                    // Stopped for a reason every write shares: the health check names it
                    // (a refused key, an address that redirects).
                    Ok(r) if r.stopped.is_some() => check(live, &c.client).await,
                    Ok(_) => {}
                    Err(e) => live.set_health(PsaState::Offline, Some(&e.to_string())),
                }
                return;
            }
            () = tokio::time::sleep(CHECK_EVERY) => {
                if live.reconfigure.load(Ordering::SeqCst) {
                    return;
                }
                if live.health() != PsaState::Online {
                    check(live, &c.client).await;
                }
                live.publish_status();
            }
        }
    }
}

impl Live {
    /// Notes a delivery attempt's result in the PSA's reachability.
    pub(super) fn saw_attempt(&self, delivered: bool, error: &str) {
        let mut health = lock(&self.health);
        if health.state == PsaState::KeyRefused || health.state == PsaState::NotConfigured {
            return;
        }
        if delivered {
            health.state = PsaState::Online;
            health.error = None;
        } else {
            health.state = PsaState::Offline;
            health.error = Some(error.to_owned());
        }
    }
}
