//! The settings file: non-secret settings per profile, as JSON in the platform's config
//! directory, replaced atomically so a crash never leaves half a file.

use std::{
    collections::BTreeMap,
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use directories::ProjectDirs;
use serde::{Deserialize, Serialize};

use super::{Profile, SettingKey, SettingsError};

/// The file's name inside the config directory.
const FILE_NAME: &str = "settings.json";

/// The settings directory: `ONCALL_CONFIG_DIR` when set, else the platform's per-user config
/// directory (e.g. `~/.config/oncall-desk` on Linux).
pub fn config_dir() -> Result<PathBuf, SettingsError> {
    match std::env::var_os("ONCALL_CONFIG_DIR") {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => ProjectDirs::from("", "", "oncall-desk")
            .map(|d| d.config_dir().to_owned())
            .ok_or(SettingsError::NoConfigDir),
    }
}

/// Every profile's non-secret settings, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Profile name → setting name → value. Plain maps, so a value written by a newer version
    /// under a name this one does not know survives a `config set` by this one.
    #[serde(default)]
    profiles: BTreeMap<String, BTreeMap<String, String>>,
}

impl Settings {
    /// The stored value of `key` in `profile`.
    pub fn get(&self, profile: &Profile, key: SettingKey) -> Option<&str> {
        self.profiles
            .get(profile.as_str())?
            .get(key.name())
            .map(String::as_str)
    }

    /// Checks `value` for `key` and stores it in `profile`; returns the value as stored.
    pub fn set(
        &mut self,
        profile: &Profile,
        key: SettingKey,
        value: &str,
    ) -> Result<String, SettingsError> {
        let value = key.check(value)?;
        self.profiles
            .entry(profile.as_str().to_owned())
            .or_default()
            .insert(key.name().to_owned(), value.clone());
        Ok(value)
    }

    /// Removes `key` from `profile`; says whether it was set.
    pub fn unset(&mut self, profile: &Profile, key: SettingKey) -> bool {
        let Some(values) = self.profiles.get_mut(profile.as_str()) else {
            return false;
        };
        let removed = values.remove(key.name()).is_some();
        if values.is_empty() {
            self.profiles.remove(profile.as_str());
        }
        removed
    }
}

/// Where the settings file is, and reading and replacing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsFile {
    path: PathBuf,
}

impl SettingsFile {
    /// The settings file inside `dir`.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            path: dir.join(FILE_NAME),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the file; a missing file is empty settings. A damaged file is an error, never
    /// silently treated as empty, so a later save cannot wipe what a person wrote.
    pub fn load(&self) -> Result<Settings, SettingsError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => return Err(self.error(SettingsError::Read, e.to_string())),
        };
        // The reason names the position only: a JSON error can quote the text it choked on.
        serde_json::from_slice(&bytes).map_err(|e| {
            self.error(
                SettingsError::Damaged,
                format!(
                    "{:?} error at line {} column {}",
                    e.classify(),
                    e.line(),
                    e.column()
                ),
            )
        })
    }

    /// Replaces the file: writes a temporary file beside it, flushes it to disk, then renames
    /// it over the old one, so readers see the old file or the new one and never a mix.
    pub fn save(&self, settings: &Settings) -> Result<(), SettingsError> {
        let write_err = |e: std::io::Error| self.error(SettingsError::Write, e.to_string());
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(write_err)?;
        let mut json = serde_json::to_vec_pretty(settings)
            .map_err(|e| self.error(SettingsError::Write, e.to_string()))?;
        json.push(b'\n');
        let tmp = dir.join(format!(".{FILE_NAME}.{}.tmp", uuid::Uuid::new_v4()));
        let written = fs::File::create(&tmp).and_then(|mut f| {
            f.write_all(&json)?;
            f.sync_all()
        });
        if let Err(e) = written.and_then(|()| fs::rename(&tmp, &self.path)) {
            // Best effort: the temporary file is ours and useless now.
            let _ = fs::remove_file(&tmp);
            return Err(write_err(e));
        }
        // The rename is durable once the directory entry is; only Unix can sync a directory.
        #[cfg(unix)]
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(write_err)?;
        Ok(())
    }

    fn error(&self, kind: fn(PathBuf, String) -> SettingsError, reason: String) -> SettingsError {
        kind(self.path.clone(), reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_per_profile_and_a_missing_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(&dir.path().join("nested"));
        assert_eq!(file.load().unwrap(), Settings::default());

        let (main, other) = (Profile::default(), Profile::parse("other").unwrap());
        let mut s = Settings::default();
        s.set(&main, SettingKey::PsaUrl, "https://psa.example.com")
            .unwrap();
        s.set(&other, SettingKey::Technician, "Lee").unwrap();
        file.save(&s).unwrap();

        let read = file.load().unwrap();
        assert_eq!(read, s);
        assert_eq!(
            read.get(&main, SettingKey::PsaUrl),
            Some("https://psa.example.com")
        );
        assert_eq!(read.get(&main, SettingKey::Technician), None);
        assert_eq!(read.get(&other, SettingKey::Technician), Some("Lee"));

        let mut s = read;
        assert!(s.unset(&other, SettingKey::Technician));
        assert!(!s.unset(&other, SettingKey::Technician));
        file.save(&s).unwrap();
        let names: Vec<_> = fs::read_dir(file.path().parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["settings.json"], "no temporary file is left behind");
    }

    #[test]
    fn unknown_names_survive_a_save() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        fs::write(
            file.path(),
            r#"{"profiles":{"default":{"future.setting":"x"}}}"#,
        )
        .unwrap();
        let mut s = file.load().unwrap();
        s.set(&Profile::default(), SettingKey::Technician, "Dana")
            .unwrap();
        file.save(&s).unwrap();
        let text = fs::read_to_string(file.path()).unwrap();
        assert!(text.contains("future.setting"), "{text}");
    }

    #[test]
    fn a_damaged_file_is_refused_without_quoting_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::in_dir(dir.path());
        fs::write(file.path(), "{\"profiles\": sk-live-oops").unwrap();
        let err = file.load().unwrap_err().to_string();
        assert!(err.contains("damaged"), "{err}");
        assert!(!err.contains("sk-live"), "{err}");
    }
}
