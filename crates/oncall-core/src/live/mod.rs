//! The long-lived owner of a technician's desk, shared by the desktop app and `oncall sync
//! --watch`: the desk for actions, a second connection for reads (reads never wait for a
//! writer), the sync engine running in the background and woken by each action, the PSA's
//! reachability, and a change feed that sees every process's writes.

mod feed;
pub mod settings;
mod sync_loop;
mod wizard;

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

use tokio::sync::{Notify, broadcast};

use crate::{
    Clock, Desk, DeskError,
    domain::IncidentId,
    lock,
    settings::{Config, PsaResolution},
    sync::SyncOptions,
    view::{Changed, PsaState, StatusBar, SyncLogEntry},
};

/// Where the configuration comes from: read again whenever it may have changed (a login, a new
/// URL), so that changes take effect without a restart.
pub type ConfigSource = Arc<dyn Fn() -> Config + Send + Sync>;

/// What a front end hears from a running [`Live`].
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// Incidents changed (by this process or another).
    Changed(Changed),
    /// The status bar changed.
    Status(StatusBar),
    /// A delivery attempt ended (delivered, to be retried, or refused: someone must see a
    /// refusal), whichever process made it.
    Attempt(SyncLogEntry),
}

/// The PSA's reachability as last seen, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Health {
    state: PsaState,
    error: Option<String>,
    /// The tenants the PSA lets the key use, as its last health check said.
    tenants: Option<Vec<String>>,
    /// Every write would fail alike (a refused key, an address that redirects): nothing is
    /// sent until the configuration changes or the PSA answers a health check.
    blocked: bool,
}

/// A technician's desk, kept open for a whole shift.
pub struct Live {
    db: PathBuf,
    writer: Mutex<Desk>,
    reader: Mutex<Desk>,
    config: ConfigSource,
    clock: Arc<dyn Clock>,
    options: SyncOptions,
    /// Notified after each action: the engine looks for due writes at once.
    wake: Arc<Notify>,
    /// Set (and `wake` notified) when the configuration may have changed.
    reconfigure: AtomicBool,
    /// Held while the configuration is read and applied, so that a stale read never overwrites
    /// a newer one.
    resolving: Mutex<()>,
    health: Mutex<Health>,
    status: Mutex<Option<StatusBar>>,
    events: broadcast::Sender<LiveEvent>,
}

impl Live {
    /// Opens the database at `db` with two connections and reads the configuration once.
    /// Nothing runs in the background until [`Live::run`].
    pub fn open(
        db: &Path,
        config: ConfigSource,
        clock: Arc<dyn Clock>,
        options: SyncOptions,
    ) -> Result<Arc<Self>, DeskError> {
        let writer = Desk::open(db, Arc::clone(&clock))?;
        let reader = Desk::open(db, Arc::clone(&clock))?;
        let live = Arc::new(Self {
            db: db.to_owned(),
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
            config,
            clock,
            options,
            wake: Arc::new(Notify::new()),
            reconfigure: AtomicBool::new(true),
            resolving: Mutex::new(()),
            health: Mutex::new(Health {
                state: PsaState::NotConfigured,
                error: None,
                tenants: None,
                blocked: false,
            }),
            status: Mutex::new(None),
            events: broadcast::channel(256).0,
        });
        live.resolve();
        Ok(live)
    }

    /// The database file.
    pub fn db_path(&self) -> &Path {
        &self.db
    }

    /// The configuration as it is now (environment, settings file, keychain).
    pub fn config(&self) -> Config {
        (self.config)()
    }

    /// Runs a user action on the desk. Durable when it returns; the engine is woken to deliver
    /// what it queued, and the incident's writes that were backing off are tried at once.
    pub fn act<T>(
        &self,
        incident: Option<IncidentId>,
        f: impl FnOnce(&mut Desk) -> Result<T, DeskError>,
    ) -> Result<T, DeskError> {
        let mut desk = lock(&self.writer);
        let value = f(&mut desk)?;
        if let Some(id) = incident {
            desk.make_due(id)?;
        }
        drop(desk);
        self.wake.notify_one();
        Ok(value)
    }

    /// Reads through the reading connection: never waits for an action or the engine.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&mut Desk) -> Result<T, DeskError>,
    ) -> Result<T, DeskError> {
        f(&mut lock(&self.reader))
    }

    /// Reads the configuration again (after settings or credentials changed) and has the
    /// engine use it from its next request.
    pub fn reconfigure(&self) {
        self.resolve();
        self.reconfigure.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Asks the engine to look for due writes now.
    pub fn sync_now(&self) {
        self.wake.notify_one();
    }

    /// Hears what happens from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.events.subscribe()
    }

    /// The status bar as it is now.
    pub fn status(&self) -> Result<StatusBar, DeskError> {
        let health = lock(&self.health).clone();
        let (counts, timers) = self.read(|d| Ok((d.sync_status()?.counts, d.timers()?)))?;
        Ok(StatusBar {
            psa: health.state,
            waiting: u32::try_from(counts.pending).unwrap_or(u32::MAX),
            refused: u32::try_from(counts.refused).unwrap_or(u32::MAX),
            last_error: health.error,
            timers_running: u32::try_from(timers.iter().filter(|t| t.running).count())
                .unwrap_or(u32::MAX),
        })
    }

    /// Runs the sync engine and the change feed until the returned future is dropped.
    pub async fn run(self: Arc<Self>) {
        tokio::join!(
            sync_loop::run(Arc::clone(&self)),
            feed::run(Arc::clone(&self))
        );
    }

    /// Resolves the PSA configuration and applies it to the desk; returns it.
    fn resolve(&self) -> PsaResolution {
        let _one_at_a_time = lock(&self.resolving);
        let config = self.config();
        let resolution = config.psa();
        let configured = resolution.is_configured();
        // Acknowledgements made while not configured never get a ticket: the log says when
        // that starts and ends, and why.
        if configured != (self.health() != PsaState::NotConfigured) {
            match &resolution {
                PsaResolution::NotConfigured(why) => {
                    tracing::info!(target: "psa", "not configured, acknowledgements stay local: {why}");
                }
                _ => tracing::info!(target: "psa", "configured, acknowledgements make tickets"),
            }
        }
        lock(&self.writer).configure(configured, config.time_policy());
        match &resolution {
            PsaResolution::NotConfigured(why) => {
                self.set_health(PsaState::NotConfigured, Some(why))
            }
            PsaResolution::Unusable(why) => self.set_health(PsaState::Offline, Some(why)),
            PsaResolution::Ready(_) => {
                let mut health = lock(&self.health);
                if health.state == PsaState::NotConfigured {
                    health.state = PsaState::Offline;
                    health.error = None;
                }
            }
        }
        resolution
    }

    fn set_health(&self, state: PsaState, error: Option<&str>) {
        let mut health = lock(&self.health);
        health.state = state;
        health.error = error.map(str::to_owned);
    }

    /// The tenant ids the PSA lets the key use, as it last said (`None` until it answered).
    pub fn psa_tenants(&self) -> Option<Vec<String>> {
        lock(&self.health).tenants.clone()
    }

    fn health(&self) -> PsaState {
        lock(&self.health).state
    }

    /// Publishes the status bar if it changed.
    fn publish_status(&self) {
        let Ok(status) = self.status() else { return };
        let mut last = lock(&self.status);
        if last.as_ref() != Some(&status) {
            *last = Some(status.clone());
            let _ = self.events.send(LiveEvent::Status(status));
        }
    }
}
