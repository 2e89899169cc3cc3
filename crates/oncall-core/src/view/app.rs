//! What the desktop app shows besides incidents: itself, tenants, settings, the wizard, and the
//! inputs of its forms.

use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the app is running on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppInfo {
    /// Running on the built-in PSA simulator, with sample data.
    pub demo: bool,
    /// The technician's name, as the PSA knows it.
    pub technician: Option<String>,
    /// The tenant a new incident gets unless another is chosen.
    pub default_tenant: Option<String>,
    /// The database file.
    pub db_path: String,
    /// The app's version.
    pub version: String,
}

/// A tenant with whether the PSA key may use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TenantView {
    /// The tenant id, as the PSA knows it.
    pub id: String,
    /// The organisation id.
    pub org_id: String,
    /// The company name.
    pub company: String,
    /// Whether the PSA lets the key use it (unknown while the PSA cannot be asked).
    pub psa_allowed: Option<bool>,
}

/// A tenant as the tenant form sends it (a new one, or a correction of an existing one).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct TenantInput {
    /// The tenant id, as the PSA knows it.
    pub id: String,
    /// The organisation id.
    pub org_id: String,
    /// The company name.
    pub company: String,
}

/// The settings as the settings screen shows them; secrets only as set or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SettingsView {
    /// The One PSA's API address.
    pub psa_url: Option<String>,
    /// Whether a PSA service key is stored (or given in the environment).
    pub psa_key_set: bool,
    /// The technician's name.
    pub technician: Option<String>,
    /// The default tenant.
    pub default_tenant: Option<String>,
    /// The N-central server.
    pub ncentral_url: Option<String>,
    /// The standard PSA type N-central validates.
    pub ncentral_psa_type: Option<String>,
    /// Whether the whole N-central login is stored.
    pub ncentral_login_set: bool,
    /// Billing increment in minutes.
    pub time_increment_minutes: u32,
    /// Work type of timer entries.
    pub time_work_type: String,
    /// Whether timer entries are billable.
    pub time_billable: bool,
    /// Whether acknowledging starts the timer.
    pub time_auto_start: bool,
    /// Settings the environment sets (they win over what is saved here).
    pub from_env: Vec<String>,
    /// Why the keychain could not be read, if it could not.
    pub keychain_error: Option<String>,
}

/// What the settings screen saves; `None` leaves a value as it is, an empty string removes it.
/// Its `Debug` shows whether each secret was given, never the secret.
#[derive(Clone, Default, PartialEq, Eq, Deserialize, TS)]
pub struct SettingsInput {
    /// The One PSA's API address.
    pub psa_url: Option<String>,
    /// The technician's name.
    pub technician: Option<String>,
    /// The default tenant.
    pub default_tenant: Option<String>,
    /// The N-central server.
    pub ncentral_url: Option<String>,
    /// The standard PSA type.
    pub ncentral_psa_type: Option<String>,
    /// Billing increment in minutes.
    pub time_increment_minutes: Option<u32>,
    /// Work type of timer entries.
    pub time_work_type: Option<String>,
    /// Whether timer entries are billable.
    pub time_billable: Option<bool>,
    /// Whether acknowledging starts the timer.
    pub time_auto_start: Option<bool>,
    /// A new PSA service key.
    pub psa_key: Option<String>,
    /// A new N-central User-API token.
    pub ncentral_jwt: Option<String>,
    /// A new N-central integration key.
    pub ncentral_integration_key: Option<String>,
    /// A new standard PSA username.
    pub ncentral_username: Option<String>,
    /// A new standard PSA password.
    pub ncentral_password: Option<String>,
}

impl fmt::Debug for SettingsInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let given = |s: &Option<String>| s.as_ref().map(|_| "[redacted]");
        f.debug_struct("SettingsInput")
            .field("psa_url", &self.psa_url)
            .field("technician", &self.technician)
            .field("default_tenant", &self.default_tenant)
            .field("ncentral_url", &self.ncentral_url)
            .field("ncentral_psa_type", &self.ncentral_psa_type)
            .field("time_increment_minutes", &self.time_increment_minutes)
            .field("time_work_type", &self.time_work_type)
            .field("time_billable", &self.time_billable)
            .field("time_auto_start", &self.time_auto_start)
            .field("psa_key", &given(&self.psa_key))
            .field("ncentral_jwt", &given(&self.ncentral_jwt))
            .field(
                "ncentral_integration_key",
                &given(&self.ncentral_integration_key),
            )
            .field("ncentral_username", &self.ncentral_username)
            .field("ncentral_password", &given(&self.ncentral_password))
            .finish()
    }
}

/// How a wizard step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Being checked.
    Running,
    /// Passed.
    Passed,
    /// Failed; see the fix.
    Failed,
    /// Not checked, because a step it needs failed.
    Skipped,
}

/// A credential wizard step as the wizard screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct WizardStepView {
    /// The step's stable name, e.g. `one_psa`.
    pub step: String,
    /// A title for it.
    pub title: String,
    /// How it stands.
    pub status: StepState,
    /// What was found.
    pub message: String,
    /// What to do about a failure.
    pub fix: Option<String>,
}

/// Time typed in by hand.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct TimeInput {
    /// Minutes worked.
    pub minutes: i64,
    /// Work type; the setting's when empty.
    pub work_type: Option<String>,
    /// What was done.
    pub note: Option<String>,
    /// Billable; the setting's when not given.
    pub billable: Option<bool>,
}

/// The time a resolution is about to log, for the technician to see and adjust.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ResolvePreview {
    /// Billed minutes the running and paused timers add up to, rounded up to the increment.
    pub minutes: i64,
    /// The billing increment.
    pub increment_minutes: i64,
    /// Seconds actually worked.
    pub worked_seconds: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_input_never_formats_its_secrets() {
        let input = SettingsInput {
            psa_url: Some("https://psa.example.com".into()),
            psa_key: Some("sk-planted-1".into()),
            ncentral_jwt: Some("sk-planted-2".into()),
            ncentral_integration_key: Some("sk-planted-3".into()),
            ncentral_password: Some("sk-planted-4".into()),
            ..SettingsInput::default()
        };
        let shown = format!("{input:?} {input:#?}");
        assert!(!shown.contains("sk-planted"), "{shown}");
        assert!(shown.contains("https://psa.example.com"), "{shown}");
        assert!(shown.contains("psa_key: Some(\"[redacted]\")"), "{shown}");
    }
}
