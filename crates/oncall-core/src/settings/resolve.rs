//! Resolving each value: the environment first (`PSA_API_URL` and `PSA_SERVICE_KEY`, the On-Call names),
//! then the settings file for settings and the keychain for secrets.

use std::{fmt, path::PathBuf};

use jiff::SignedDuration;
use serde::Serialize;

use super::{Profile, SettingKey, Settings, SettingsError, SettingsFile};
use crate::{
    domain::TimePolicy,
    psa::PsaConfig,
    secrets::{Keychain, KeychainError, NcentralLogin, Secret, SecretKey},
};

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// An environment variable.
    Env,
    /// The settings file.
    SettingsFile,
    /// The OS keychain.
    Keychain,
    /// Nowhere: the value is not set.
    Unset,
    /// Cannot tell: the settings file is damaged or the keychain is unavailable.
    Unknown,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Env => "environment",
            Self::SettingsFile => "settings file",
            Self::Keychain => "keychain",
            Self::Unset => "unset",
            Self::Unknown => "unknown",
        })
    }
}

/// A value, if there is one, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value.
    pub value: Option<T>,
    /// Where it came from (`Unset` or `Unknown` when there is none).
    pub source: Source,
}

impl<T> Sourced<T> {
    fn found(value: Option<T>, source: Source) -> Self {
        let source = if value.is_some() {
            source
        } else {
            Source::Unset
        };
        Self { value, source }
    }
}

/// The environment's say, read once: the On-Call variables. Blank counts as unset.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// `PSA_API_URL`.
    pub psa_api_url: Option<String>,
    /// `PSA_SERVICE_KEY`.
    pub psa_service_key: Option<Secret>,
}

impl Env {
    /// Reads the process environment.
    pub fn from_process() -> Self {
        let get = |name| {
            std::env::var(name)
                .ok()
                .filter(|v: &String| !v.trim().is_empty())
        };
        Self {
            psa_api_url: get("PSA_API_URL"),
            psa_service_key: get("PSA_SERVICE_KEY").map(Secret::new),
        }
    }

    fn setting(&self, key: SettingKey) -> Option<&String> {
        match key {
            SettingKey::PsaUrl => self.psa_api_url.as_ref(),
            _ => None,
        }
    }

    fn secret(&self, key: SecretKey) -> Option<&Secret> {
        match key {
            SecretKey::PsaServiceKey => self.psa_service_key.as_ref(),
            _ => None,
        }
    }
}

/// What the PSA settings add up to for the sync.
#[derive(Debug, Clone)]
pub enum PsaResolution {
    /// A URL and a key, both usable.
    Ready(PsaConfig),
    /// No PSA is set up: acknowledging creates no ticket. Says what is missing.
    NotConfigured(String),
    /// A PSA is set up but cannot be used right now (the keychain is unavailable, a value is
    /// invalid, the settings file is damaged): PSA writes wait in the queue. Says why.
    Unusable(String),
}

impl PsaResolution {
    /// Whether a PSA is set up, usable or not: then acknowledging queues a ticket.
    pub fn is_configured(&self) -> bool {
        !matches!(self, Self::NotConfigured(_))
    }
}

/// A technician's configuration: the environment, the profile's settings file values and its
/// keychain entries, each value resolved on demand (the keychain is read only when asked).
#[derive(Debug, Clone)]
pub struct Config {
    env: Env,
    profile: Profile,
    file: SettingsFile,
    settings: Result<Settings, SettingsError>,
    keychain: Keychain,
}

impl Config {
    /// Reads the settings file; a damaged file is remembered, not raised, so values from the
    /// environment still work.
    pub fn load(env: Env, file: SettingsFile, profile: Profile) -> Self {
        let settings = file.load();
        Self {
            keychain: Keychain::new(profile.clone()),
            env,
            profile,
            file,
            settings,
        }
    }

    /// The settings file.
    pub fn file(&self) -> &SettingsFile {
        &self.file
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The profile's keychain.
    pub fn keychain(&self) -> &Keychain {
        &self.keychain
    }

    /// A setting: the environment's, else the settings file's.
    pub fn value(&self, key: SettingKey) -> Sourced<String> {
        if let Some(v) = self.env.setting(key) {
            return Sourced::found(Some(v.clone()), Source::Env);
        }
        match &self.settings {
            Ok(s) => Sourced::found(
                s.get(&self.profile, key).map(str::to_owned),
                Source::SettingsFile,
            ),
            Err(_) => Sourced {
                value: None,
                source: Source::Unknown,
            },
        }
    }

    /// A secret: the environment's, else the keychain's (which is read only then).
    pub fn secret(&self, key: SecretKey) -> Result<Sourced<Secret>, KeychainError> {
        if let Some(v) = self.env.secret(key) {
            return Ok(Sourced::found(Some(v.clone()), Source::Env));
        }
        Ok(Sourced::found(self.keychain.get(key)?, Source::Keychain))
    }

    /// The N-central login from the keychain; `None` unless all of it is stored.
    pub fn ncentral_login(&self) -> Result<Option<NcentralLogin>, KeychainError> {
        NcentralLogin::load(&self.keychain)
    }

    /// The PSA the sync uses. The keychain is read only when a URL is set, so a desk without
    /// a PSA never touches it.
    pub fn psa(&self) -> PsaResolution {
        let url = self.value(SettingKey::PsaUrl);
        let Some(url_value) = url.value else {
            return match &self.settings {
                Err(e) => PsaResolution::Unusable(e.to_string()),
                Ok(_) => PsaResolution::NotConfigured(
                    "no PSA URL: PSA_API_URL is unset and psa.url is not set".into(),
                ),
            };
        };
        let key = match self.secret(SecretKey::PsaServiceKey) {
            Ok(Sourced { value: Some(k), .. }) => k,
            Ok(_) => {
                return PsaResolution::NotConfigured(
                    "no PSA service key: PSA_SERVICE_KEY is unset and none is in the keychain"
                        .into(),
                );
            }
            Err(e) => return PsaResolution::Unusable(e.to_string()),
        };
        match PsaConfig::new(&url_value, key) {
            Ok(c) => PsaResolution::Ready(c),
            Err(e) => PsaResolution::Unusable(format!(
                "{} ({}): {e}",
                SettingKey::PsaUrl,
                origin(SettingKey::PsaUrl, url.source)
            )),
        }
    }

    /// Every setting and secret with where it came from; secrets only as set or unset. After
    /// How time is kept and billed: the `time.*` settings over the defaults.
    pub fn time_policy(&self) -> TimePolicy {
        let defaults = TimePolicy::default();
        let get = |key| self.value(key).value;
        let flag = |key, default| get(key).and_then(|v| v.parse().ok()).unwrap_or(default);
        TimePolicy {
            auto_start: flag(SettingKey::TimeAutoStart, defaults.auto_start),
            billable: flag(SettingKey::TimeBillable, defaults.billable),
            increment_minutes: get(SettingKey::TimeIncrement)
                .and_then(|v| v.parse().ok())
                .unwrap_or(defaults.increment_minutes),
            work_type: get(SettingKey::TimeWorkType).unwrap_or(defaults.work_type),
            confirm_after: get(SettingKey::TimeConfirmAfter)
                .and_then(|v| v.parse::<i64>().ok())
                .map(SignedDuration::from_hours)
                .unwrap_or(defaults.confirm_after),
        }
    }

    /// the first keychain failure the keychain is not asked again (each try can take seconds).
    pub fn report(&self) -> ConfigReport {
        let mut values: Vec<ReportedValue> = SettingKey::ALL
            .into_iter()
            .map(|key| {
                let v = self.value(key);
                ReportedValue {
                    key: key.name(),
                    secret: false,
                    set: (v.source != Source::Unknown).then_some(v.value.is_some()),
                    value: v.value,
                    source: v.source,
                    env_var: key.env_var(),
                }
            })
            .collect();
        let mut keychain_error = None;
        for key in SecretKey::ALL {
            let resolved = match (&keychain_error, self.env.secret(key)) {
                (Some(_), None) => Sourced {
                    value: None,
                    source: Source::Unknown,
                },
                _ => self.secret(key).unwrap_or_else(|e| {
                    keychain_error = Some(e.to_string());
                    Sourced {
                        value: None,
                        source: Source::Unknown,
                    }
                }),
            };
            values.push(ReportedValue {
                key: key.name(),
                secret: true,
                set: (resolved.source != Source::Unknown).then_some(resolved.value.is_some()),
                value: None,
                source: resolved.source,
                env_var: key.env_var(),
            });
        }
        ConfigReport {
            profile: self.profile.clone(),
            settings_file: self.file.path().to_owned(),
            settings_error: self.settings.as_ref().err().map(ToString::to_string),
            keychain_error,
            values,
        }
    }
}

/// Where a value came from, for a message: the variable's name when it was the environment.
fn origin(key: SettingKey, source: Source) -> String {
    match (source, key.env_var()) {
        (Source::Env, Some(var)) => format!("from {var}"),
        (source, _) => format!("from the {source}"),
    }
}

/// `oncall config show`: every value, where it came from, and what could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigReport {
    /// The profile shown.
    pub profile: Profile,
    /// The settings file's path.
    pub settings_file: PathBuf,
    /// Why the settings file could not be read, if it could not.
    pub settings_error: Option<String>,
    /// Why the keychain could not be read, if it could not.
    pub keychain_error: Option<String>,
    /// Settings first, then secrets.
    pub values: Vec<ReportedValue>,
}

/// One value in a [`ConfigReport`].
#[derive(Debug, Clone, Serialize)]
pub struct ReportedValue {
    /// The setting's or secret's name.
    pub key: &'static str,
    /// Whether it is a secret (shown only as set or unset).
    pub secret: bool,
    /// The value of a setting; always `None` for a secret.
    pub value: Option<String>,
    /// Whether it is set; `None` when that cannot be told.
    pub set: Option<bool>,
    /// Where it came from.
    pub source: Source,
    /// The environment variable that overrides it, if any.
    pub env_var: Option<&'static str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(env: Env, stored_url: Option<&str>) -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        if let Some(url) = stored_url {
            let mut s = Settings::default();
            s.set(&Profile::default(), SettingKey::PsaUrl, url).unwrap();
            file.save(&s).unwrap();
        }
        let c = Config::load(env, file, Profile::default());
        (dir, c)
    }

    #[test]
    fn the_environment_wins_over_the_settings_file() {
        let env = Env {
            psa_api_url: Some("http://127.0.0.1:1".into()),
            psa_service_key: Some(Secret::new("k")),
        };
        let (_dir, c) = config(env, Some("https://psa.example.com"));
        let url = c.value(SettingKey::PsaUrl);
        assert_eq!(url.value.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(url.source, Source::Env);
        assert!(
            matches!(c.psa(), PsaResolution::Ready(p) if p.url.as_str() == "http://127.0.0.1:1/")
        );

        let (_dir, c) = config(Env::default(), Some("https://psa.example.com"));
        let url = c.value(SettingKey::PsaUrl);
        assert_eq!(url.source, Source::SettingsFile);
        assert_eq!(c.value(SettingKey::Technician).source, Source::Unset);
    }

    #[test]
    fn no_url_means_not_configured_without_asking_the_keychain() {
        let (_dir, c) = config(Env::default(), None);
        let PsaResolution::NotConfigured(why) = c.psa() else {
            panic!("configured without a URL");
        };
        assert!(why.contains("no PSA URL"), "{why}");
        crate::problem::assert_neutral(&why);
    }

    #[test]
    fn an_invalid_url_from_the_environment_is_named_as_such() {
        let env = Env {
            psa_api_url: Some("http://psa.example.com".into()),
            psa_service_key: Some(Secret::new("k")),
        };
        let (_dir, c) = config(env, None);
        let PsaResolution::Unusable(why) = c.psa() else {
            panic!("accepted plain http");
        };
        assert!(why.starts_with("psa.url (from PSA_API_URL): "), "{why}");
        assert!(c.psa().is_configured());
    }

    #[test]
    fn a_damaged_settings_file_leaves_the_environment_working() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        std::fs::write(file.path(), "not json").unwrap();
        let env = Env {
            psa_api_url: Some("http://127.0.0.1:1".into()),
            psa_service_key: Some(Secret::new("k")),
        };
        assert!(matches!(
            Config::load(env, file.clone(), Profile::default()).psa(),
            PsaResolution::Ready(_)
        ));
        let c = Config::load(Env::default(), file, Profile::default());
        assert_eq!(c.value(SettingKey::PsaUrl).source, Source::Unknown);
        assert!(matches!(c.psa(), PsaResolution::Unusable(why) if why.contains("damaged")));
    }
}
