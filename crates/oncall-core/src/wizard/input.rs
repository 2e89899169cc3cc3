//! What the wizard checks, read from the configuration: the settings, and the secrets from the
//! keychain on a blocking thread. A value that is missing or unreadable becomes a [`Blocker`]
//! the matching step reports, so the other steps still run.

use crate::{
    domain::TenantId,
    problem::Remedy,
    psa::{NcentralConfig, PsaConfig},
    secrets::Secret,
    settings::{Config, PsaResolution, SettingKey},
};

/// Why a step cannot run, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    /// What is wrong.
    pub message: String,
    /// What a person can do about it.
    pub remedy: Remedy,
}

impl Blocker {
    fn new(message: impl Into<String>, remedy: Remedy) -> Self {
        Self {
            message: message.into(),
            remedy,
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
    pub psa: Result<PsaConfig, Blocker>,
    /// The local tenants, which the PSA must know.
    pub local_tenants: Vec<TenantId>,
    /// N-central, or why it cannot be checked.
    pub ncentral: Result<NcentralAccess, Blocker>,
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
            let p = Blocker::new(
                format!("Reading the settings failed unexpectedly: {e}."),
                Remedy::CheckSettings,
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

fn psa(config: &Config) -> Result<PsaConfig, Blocker> {
    match config.psa() {
        PsaResolution::Ready(c) => Ok(c),
        PsaResolution::NotConfigured(why) => Err(Blocker::new(
            format!("The One PSA is not set up: {why}."),
            Remedy::SetUpPsa,
        )),
        PsaResolution::Unusable(why) => Err(Blocker::new(
            format!("The One PSA settings cannot be used: {why}."),
            Remedy::CheckSettings,
        )),
    }
}

fn ncentral(config: &Config) -> Result<NcentralAccess, Blocker> {
    let Some(url) = config.value(SettingKey::NcentralUrl).value else {
        return Err(Blocker::new(
            "N-central is not set up: ncentral.url is not set.",
            Remedy::SetUpNcentral,
        ));
    };
    let login = config
        .ncentral_login()
        .map_err(|e| {
            Blocker::new(
                format!("The N-central login cannot be read: {e}."),
                Remedy::UnlockKeychain,
            )
        })?
        .ok_or_else(|| {
            Blocker::new(
                "No N-central login is stored (User-API token, integration key, PSA username \
                 and password).",
                Remedy::EnterNcentralLogin,
            )
        })?;
    let ncentral = NcentralConfig::new(&url, login.jwt, login.integration_key)
        .map_err(|e| Blocker::new(format!("ncentral.url: {e}."), Remedy::CheckNcentralUrl))?;
    Ok(NcentralAccess {
        config: ncentral,
        psa_type: config.value(SettingKey::NcentralPsaType).value,
        username: login.username,
        password: login.password,
    })
}
