//! Settings: the non-secret ones in a settings file, the secret ones in the keychain, both per
//! profile, and the environment (`PSA_API_URL`, `PSA_SERVICE_KEY`) over both. [`Config`] says
//! for each value where it came from.

mod file;
mod keys;
mod profile;
mod resolve;

use std::path::PathBuf;

pub use file::{Settings, SettingsFile, config_dir};
pub use keys::SettingKey;
pub use profile::Profile;
pub use resolve::{Config, ConfigReport, Env, PsaResolution, ReportedValue, Source, Sourced};

/// Why a setting cannot be read, checked or saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A setting name this version does not know.
    #[error("unknown setting '{key}'; known settings: {known}")]
    UnknownKey {
        /// The name given.
        key: String,
        /// The known names, comma-separated.
        known: String,
    },
    /// A value the setting does not accept.
    #[error("{key}: {reason}")]
    InvalidValue {
        /// The setting.
        key: &'static str,
        /// What is wrong with the value.
        reason: String,
    },
    /// A profile name that cannot be used.
    #[error("invalid profile name '{0}': use 1 to 64 of A-Z a-z 0-9 . _ -")]
    InvalidProfile(String),
    /// No directory for the settings file could be found.
    #[error("cannot find a config directory for the settings file; set ONCALL_CONFIG_DIR")]
    NoConfigDir,
    /// The file exists but cannot be read.
    #[error("cannot read the settings file {path}: {1}", path = .0.display())]
    Read(PathBuf, String),
    /// The file is not valid settings JSON.
    #[error(
        "the settings file {path} is damaged ({1}); fix it or delete it and set the values again",
        path = .0.display()
    )]
    Damaged(PathBuf, String),
    /// The file cannot be written.
    #[error("cannot save the settings file {path}: {1}", path = .0.display())]
    Write(PathBuf, String),
}
