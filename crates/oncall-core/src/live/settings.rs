//! The settings screen's reads and writes: values from the environment, the settings file and
//! the keychain; secrets only ever reported as set or not.

use crate::{
    problem::{ErrorCode, Problem, Remedy},
    secrets::{NcentralLogin, Secret, SecretKey},
    settings::{Config, SettingKey, Source},
    view::{SettingsInput, SettingsView},
};

/// The settings of `config` as the settings screen shows them.
pub fn settings_view(config: &Config) -> SettingsView {
    let value = |key| config.value(key).value;
    let policy = config.time_policy();
    let mut keychain_error = None;
    let psa_key = config.secret(SecretKey::PsaServiceKey);
    let psa_key_set = match &psa_key {
        Ok(s) => s.value.is_some(),
        Err(e) => {
            keychain_error = Some(e.to_string());
            false
        }
    };
    let ncentral_login_set = match config.ncentral_login() {
        Ok(login) => login.is_some(),
        Err(e) => {
            keychain_error.get_or_insert(e.to_string());
            false
        }
    };
    let mut from_env = Vec::new();
    if config.value(SettingKey::PsaUrl).source == Source::Env {
        from_env.push("PSA_API_URL".to_owned());
    }
    if psa_key.is_ok_and(|s| s.source == Source::Env) {
        from_env.push("PSA_SERVICE_KEY".to_owned());
    }
    SettingsView {
        psa_url: value(SettingKey::PsaUrl),
        psa_key_set,
        technician: value(SettingKey::Technician),
        default_tenant: value(SettingKey::DefaultTenant),
        ncentral_url: value(SettingKey::NcentralUrl),
        ncentral_psa_type: value(SettingKey::NcentralPsaType),
        ncentral_login_set,
        time_increment_minutes: policy.increment_minutes,
        time_work_type: policy.work_type,
        time_billable: policy.billable,
        time_auto_start: policy.auto_start,
        from_env,
        keychain_error,
    }
}

/// Saves the settings given into `config`'s settings file (an empty text removes a setting)
/// and stores the secrets given in its keychain. Checks everything before writing anything;
/// a running [`super::Live`] uses them once told to [`super::Live::reconfigure`].
pub fn save_settings(config: &Config, input: &SettingsInput) -> Result<(), Problem> {
    let file = config.file();
    let mut settings = file.load().map_err(|e| Problem::from(&e))?;
    let profile = config.profile();
    let number = |n: Option<u32>| n.map(|n| n.to_string());
    let flag = |b: Option<bool>| b.map(|b| b.to_string());
    let changes = [
        (SettingKey::PsaUrl, input.psa_url.clone()),
        (SettingKey::Technician, input.technician.clone()),
        (SettingKey::DefaultTenant, input.default_tenant.clone()),
        (SettingKey::NcentralUrl, input.ncentral_url.clone()),
        (SettingKey::NcentralPsaType, input.ncentral_psa_type.clone()),
        (
            SettingKey::TimeIncrement,
            number(input.time_increment_minutes),
        ),
        (SettingKey::TimeWorkType, input.time_work_type.clone()),
        (SettingKey::TimeBillable, flag(input.time_billable)),
        (SettingKey::TimeAutoStart, flag(input.time_auto_start)),
    ];
    for (key, value) in changes {
        match value.as_deref().map(str::trim) {
            None => {}
            Some("") => {
                settings.unset(profile, key);
            }
            Some(v) => {
                settings
                    .set(profile, key, v)
                    .map_err(|e| Problem::from(&e))?;
            }
        }
    }
    let psa_key = given(&input.psa_key).map(|k| Secret::new(k.trim()));
    let ncentral = ncentral_login(config, input)?;
    file.save(&settings).map_err(|e| Problem::from(&e))?;
    let keychain = config.keychain();
    if let Some(key) = psa_key {
        keychain
            .set(SecretKey::PsaServiceKey, &key)
            .map_err(|e| Problem::from(&e))?;
    }
    if let Some(login) = ncentral {
        login.store(keychain).map_err(|e| Problem::from(&e))?;
    }
    Ok(())
}

/// A secret typed in: `None` when left empty (it stays as it is).
fn given(secret: &Option<String>) -> Option<&str> {
    secret.as_deref().filter(|s| !s.trim().is_empty())
}

/// The N-central login with the parts given replacing the stored ones; `None` when no part
/// was given.
fn ncentral_login(
    config: &Config,
    input: &SettingsInput,
) -> Result<Option<NcentralLogin>, Problem> {
    let parts = [
        given(&input.ncentral_jwt),
        given(&input.ncentral_integration_key),
        given(&input.ncentral_username),
        given(&input.ncentral_password),
    ];
    if parts.iter().all(Option::is_none) {
        return Ok(None);
    }
    let stored = config.ncentral_login().map_err(|e| Problem::from(&e))?;
    let stored = stored.as_ref();
    let pick =
        |given: Option<&str>, stored: Option<&str>| given.or(stored).unwrap_or("").to_owned();
    let login = NcentralLogin::new(
        &pick(parts[0], stored.map(|s| s.jwt.expose())),
        &pick(parts[1], stored.map(|s| s.integration_key.expose())),
        &pick(parts[2], stored.map(|s| s.username.as_str())),
        &pick(parts[3], stored.map(|s| s.password.expose())),
    )
    .map_err(|e| Problem {
        code: ErrorCode::InvalidInput,
        message: format!(
            "{e}: enter the token, the integration key, the username and the password"
        ),
        remedy: Some(Remedy::FixInput),
    })?;
    Ok(Some(login))
}
