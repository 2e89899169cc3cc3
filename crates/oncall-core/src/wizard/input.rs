//! What the wizard checks, read from the configuration: the settings, and the secrets from the
//! keychain on a blocking thread. A value that is missing or unreadable becomes a [`Problem`]
//! the matching step reports, so the other steps still run.

use crate::{
    domain::TenantId,
    psa::{NcentralConfig, PsaConfig},
    secrets::Secret,
    settings::{Config, PsaResolution, SettingKey},
};

/// Why a step cannot run, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

impl Problem {
    fn new(message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            fix: fix.into(),
        }
    }
}

/// What the N-central steps need.
#[derive(Debug, Clone)]
pub struct NcentralAccess {
    /// Where N-central is, and the token and key.
    pub config: NcentralConfig,
    /// The standard PSA type to validate (`ncentral.psa_type`), if set.
    pub psa_type: Option<String>,
    /// The standard PSA's username.
    pub username: String,
    /// The standard PSA's password.
    pub password: Secret,
}

/// Everything the wizard checks.
#[derive(Debug, Clone)]
pub struct Input {
    /// The One PSA, or why it cannot be checked.
    pub psa: Result<PsaConfig, Problem>,
    /// The local tenants, which the PSA must know.
    pub local_tenants: Vec<TenantId>,
    /// N-central, or why it cannot be checked.
    pub ncentral: Result<NcentralAccess, Problem>,
    /// A custom-PSA ticket id to look up, if asked.
    pub ticket: Option<String>,
}

impl Input {
    /// Reads the input from `config`. The keychain calls block, so they run on a blocking
    /// thread.
    pub async fn gather(
        config: Config,
        local_tenants: Vec<TenantId>,
        ticket: Option<String>,
    ) -> Self {
        let read = tokio::task::spawn_blocking(move || (psa(&config), ncentral(&config))).await;
        let (psa, ncentral) = read.unwrap_or_else(|e| {
            let p = Problem::new(
                format!("Reading the settings failed unexpectedly: {e}."),
                "Run `oncall config show` to see which value cannot be read.",
            );
            (Err(p.clone()), Err(p))
        });
        Self {
            psa,
            local_tenants,
            ncentral,
            ticket,
        }
    }
}

fn psa(config: &Config) -> Result<PsaConfig, Problem> {
    match config.psa() {
        PsaResolution::Ready(c) => Ok(c),
        PsaResolution::NotConfigured(why) => Err(Problem::new(
            format!("The One PSA is not set up: {why}."),
            "Run `oncall config set psa.url https://api.theonepsa.com` (your PSA's API address) \
             and `oncall login psa`, or set PSA_API_URL and PSA_SERVICE_KEY.",
        )),
        PsaResolution::Unusable(why) => Err(Problem::new(
            format!("The One PSA settings cannot be used: {why}."),
            "Fix what the message names, then run `oncall wizard` again; `oncall config show` \
             says where each value comes from.",
        )),
    }
}

fn ncentral(config: &Config) -> Result<NcentralAccess, Problem> {
    let Some(url) = config.value(SettingKey::NcentralUrl).value else {
        return Err(Problem::new(
            "N-central is not set up: ncentral.url is not set.",
            "Run `oncall config set ncentral.url https://your-n-central-server` and \
             `oncall login ncentral`.",
        ));
    };
    let login = config
        .ncentral_login()
        .map_err(|e| {
            Problem::new(
                format!("The N-central login cannot be read: {e}."),
                "Start or unlock the OS keychain, then run `oncall wizard` again.",
            )
        })?
        .ok_or_else(|| {
            Problem::new(
                "No N-central login is stored (User-API token, integration key, PSA username \
                 and password).",
                "Run `oncall login ncentral`.",
            )
        })?;
    let ncentral = NcentralConfig::new(&url, login.jwt, login.integration_key).map_err(|e| {
        Problem::new(
            format!("ncentral.url: {e}."),
            "Run `oncall config set ncentral.url https://your-n-central-server`.",
        )
    })?;
    Ok(NcentralAccess {
        config: ncentral,
        psa_type: config.value(SettingKey::NcentralPsaType).value,
        username: login.username,
        password: login.password,
    })
}
