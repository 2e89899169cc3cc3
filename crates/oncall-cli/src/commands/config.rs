//! `oncall config show|set|unset`: the settings file, and where each value comes from.

use anyhow::{Context, Result};
use oncall_core::settings::{
    Config, ConfigReport, Env, Profile, SettingKey, SettingsFile, Source, config_dir,
};
use serde::Serialize;

use crate::{cli::ConfigCommand, output::Out};

/// The profile (ONCALL_PROFILE, else `default`) and its settings file (in ONCALL_CONFIG_DIR,
/// else the platform's config directory).
pub fn location() -> Result<(Profile, SettingsFile)> {
    let profile = Profile::from_env().context("ONCALL_PROFILE")?;
    Ok((profile, SettingsFile::in_dir(&config_dir()?)))
}

/// The whole configuration: environment, settings file and keychain.
pub fn load() -> Result<Config> {
    let (profile, file) = location()?;
    Ok(Config::load(Env::from_process(), file, profile))
}

pub fn run(out: &Out, cmd: &ConfigCommand) -> Result<()> {
    match cmd {
        ConfigCommand::Show => {
            let report = load()?.report();
            out.print(&report, || show_text(&report))
        }
        ConfigCommand::Set { key, value } => set(out, key, Some(value)),
        ConfigCommand::Unset { key } => set(out, key, None),
    }
}

/// What `config set` / `config unset` print with `--json`.
#[derive(Serialize)]
struct Changed {
    key: &'static str,
    value: Option<String>,
    profile: Profile,
    settings_file: String,
    /// The environment variable that is set and wins over the stored value, if any.
    overridden_by: Option<&'static str>,
}

/// Sets (`Some`) or removes (`None`) a setting in the settings file.
fn set(out: &Out, key: &str, value: Option<&str>) -> Result<()> {
    let key = SettingKey::parse(key)?;
    let (profile, file) = location()?;
    let mut settings = file.load()?;
    let stored = match value {
        Some(v) => Some(settings.set(&profile, key, v)?),
        None => {
            settings.unset(&profile, key);
            None
        }
    };
    file.save(&settings)?;
    let changed = Changed {
        key: key.name(),
        value: stored,
        profile,
        settings_file: file.path().display().to_string(),
        overridden_by: key
            .env_var()
            .filter(|var| std::env::var(var).is_ok_and(|v| !v.trim().is_empty())),
    };
    out.print(&changed, || {
        let mut text = match &changed.value {
            Some(v) => format!("Set {} = {v}", changed.key),
            None => format!("Removed {}", changed.key),
        };
        text.push_str(&format!(
            " (profile {}, {}).",
            changed.profile, changed.settings_file
        ));
        if let Some(var) = changed.overridden_by {
            text.push_str(&format!(
                "\nNote: {var} is set in the environment and takes precedence."
            ));
        }
        text
    })
}

fn show_text(r: &ConfigReport) -> String {
    let mut lines = vec![format!(
        "Profile {}; settings file {}",
        r.profile,
        r.settings_file.display()
    )];
    for v in &r.values {
        let shown = match (&v.value, v.set) {
            (Some(value), _) => value.clone(),
            (None, Some(true)) => "set".to_owned(),
            (None, Some(false)) => "unset".to_owned(),
            (None, None) => "unknown".to_owned(),
        };
        let from = match (v.source, v.env_var) {
            (Source::Env, Some(var)) => format!("  (environment: {var})"),
            (Source::Unset | Source::Unknown, _) => String::new(),
            (source, _) => format!("  ({source})"),
        };
        lines.push(format!("  {:<25} {shown}{from}", v.key));
    }
    if let Some(e) = &r.settings_error {
        lines.push(format!("Settings file unreadable: {e}"));
    }
    if let Some(e) = &r.keychain_error {
        lines.push(format!("Keychain unavailable: {e}"));
    }
    lines.join("\n")
}

/// The value given on the command line, else the stored default, else an error that says how
/// to give one.
pub fn or_default(given: Option<String>, key: SettingKey, flag: &str) -> Result<String> {
    if let Some(v) = given {
        return Ok(v);
    }
    load()?.value(key).value.with_context(|| {
        format!(
            "no {key} given: pass {flag} NAME, or set a default with `oncall config set {key} NAME`"
        )
    })
}
