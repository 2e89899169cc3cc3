//! The app's state, shared by every command: the long-lived desk, and the demo simulator when
//! no PSA is configured.

use std::{sync::Arc, time::Duration};

use anyhow::{Context, Result};
use oncall_core::{
    SystemClock,
    live::{ConfigSource, Live},
    paths,
    problem::ErrorCode,
    secrets::Secret,
    settings::{Config, Env, Profile, SettingKey, SettingsFile, config_dir},
    sync::SyncOptions,
    view::{IncidentQuery, UiError},
};

use crate::{demo::Demo, fixes};

/// Why the app could not start (a database it cannot open, no home directory...), shown by the
/// window in place of the app.
pub struct StartupProblem(pub UiError);

/// What the app runs on.
pub struct App {
    /// The desk, its engine and its change feed.
    pub live: Arc<Live>,
    /// The built-in PSA simulator, in demo mode.
    pub demo: Option<Demo>,
    /// The technician's own settings (in demo mode, not the simulator's): what the settings
    /// screen shows and saves, used as they are outside the demo.
    pub settings: ConfigSource,
}

impl App {
    /// Opens the desk (demo mode when no PSA is configured, unless `ONCALL_DEMO=0`) and starts
    /// its engine and change feed.
    pub fn start() -> Result<Arc<Self>> {
        let profile = Profile::from_env().context("ONCALL_PROFILE")?;
        let file = SettingsFile::in_dir(&config_dir()?);
        let configured = Config::load(Env::from_process(), file.clone(), profile.clone())
            .psa()
            .is_configured();
        let demo = match std::env::var("ONCALL_DEMO").as_deref() {
            Ok("1") => true,
            Ok("0") => false,
            _ => !configured,
        };
        let demo = demo.then(Demo::start).transpose()?;
        let settings: ConfigSource = {
            let (file, profile) = (file.clone(), profile.clone());
            Arc::new(move || Config::load(Env::from_process(), file.clone(), profile.clone()))
        };
        let source: ConfigSource = match &demo {
            Some(d) => {
                let env = Env {
                    psa_api_url: Some(d.url()),
                    psa_service_key: Some(Secret::new(crate::demo::KEY)),
                };
                Arc::new(move || Config::load(env.clone(), file.clone(), profile.clone()))
            }
            None => Arc::clone(&settings),
        };
        let db = match (&demo, std::env::var_os("ONCALL_DB")) {
            (Some(d), _) => d.db(),
            (None, Some(p)) => p.into(),
            (None, None) => {
                paths::default_db_path().context("no home directory for the database")?
            }
        };
        let options = SyncOptions {
            // A technician watches the app: find the PSA back within a minute.
            max_backoff: Duration::from_secs(60),
            ..SyncOptions::default()
        };
        let live = Live::open(&db, source, Arc::new(SystemClock), options)
            .with_context(|| format!("cannot open the database {}", db.display()))?;
        if let Some(d) = &demo {
            d.seed(&live)?;
        }
        tauri::async_runtime::spawn(Arc::clone(&live).run());
        warm_reader(&live);
        Ok(Arc::new(Self {
            live,
            demo,
            settings,
        }))
    }

    /// A setting's value as configured now.
    pub fn setting(&self, key: SettingKey) -> Option<String> {
        self.live.config().value(key).value
    }

    /// The technician acting: the `technician` setting (the demo has one of its own).
    pub fn technician(&self) -> Result<String, UiError> {
        self.setting(SettingKey::Technician)
            .or_else(|| {
                self.demo
                    .as_ref()
                    .map(|_| crate::demo::TECHNICIAN.to_owned())
            })
            .ok_or_else(|| {
                fixes::own(
                    ErrorCode::InvalidInput,
                    "Your name is not set, so the PSA would not know who did this.",
                    Some("Open Settings and enter your name as the PSA knows it."),
                )
            })
    }
}

/// Reads the list's first page once while the webview starts, so that the page's own first
/// read finds SQLite's cache warm (cold, it took ~20 ms of the cold start over 100,000
/// incidents; docs/performance.md).
fn warm_reader(live: &Arc<Live>) {
    /// The rows of the list's first page: `PAGE_SIZE` in ui/src/lib/pager.ts, which names this.
    const FIRST_PAGE_ROWS: u32 = 200;
    let live = Arc::clone(live);
    std::thread::spawn(move || {
        let first_page = IncidentQuery {
            limit: FIRST_PAGE_ROWS,
            ..IncidentQuery::default()
        };
        let _ = live.read(|d| d.incident_page(&first_page));
    });
}
