//! The non-secret settings a technician can set, and how each value is checked.

use std::fmt;

use super::SettingsError;
use crate::{domain::TenantId, psa};

/// A non-secret setting, stored in the settings file. Secrets are
/// [`SecretKey`](crate::secrets::SecretKey)s and live in the keychain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SettingKey {
    /// `psa.url`: The One PSA's API base URL (`PSA_API_URL` overrides it).
    PsaUrl,
    /// `ncentral.url`: the N-central server's URL.
    NcentralUrl,
    /// `ncentral.psa_type`: the standard PSA type N-central validates credentials for
    /// (`3` or `tigerpaw` for Tigerpaw).
    NcentralPsaType,
    /// `technician`: the technician's name as the PSA knows it.
    Technician,
    /// `tenant`: the tenant used when none is named.
    DefaultTenant,
    /// `time.auto_start`: start the technician's timer on acknowledgement (`true`/`false`).
    TimeAutoStart,
    /// `time.increment_minutes`: billed minutes round up to a multiple of this (1 to 60).
    TimeIncrement,
    /// `time.work_type`: the work type of timer entries, e.g. `Remote Support`.
    TimeWorkType,
    /// `time.billable`: whether timer entries are billable (`true`/`false`).
    TimeBillable,
    /// `time.confirm_after_hours`: a timer that ran longer is held for confirmation (1 to 72).
    TimeConfirmAfter,
}

impl SettingKey {
    /// Every setting, in the order `oncall config show` lists them.
    pub const ALL: [Self; 10] = [
        Self::PsaUrl,
        Self::NcentralUrl,
        Self::NcentralPsaType,
        Self::Technician,
        Self::DefaultTenant,
        Self::TimeAutoStart,
        Self::TimeIncrement,
        Self::TimeWorkType,
        Self::TimeBillable,
        Self::TimeConfirmAfter,
    ];

    /// The name used on the command line and in the settings file.
    pub fn name(self) -> &'static str {
        match self {
            Self::PsaUrl => "psa.url",
            Self::NcentralUrl => "ncentral.url",
            Self::NcentralPsaType => "ncentral.psa_type",
            Self::Technician => "technician",
            Self::DefaultTenant => "tenant",
            Self::TimeAutoStart => "time.auto_start",
            Self::TimeIncrement => "time.increment_minutes",
            Self::TimeWorkType => "time.work_type",
            Self::TimeBillable => "time.billable",
            Self::TimeConfirmAfter => "time.confirm_after_hours",
        }
    }

    /// The environment variable that overrides the stored value, if any (the On-Call names).
    pub fn env_var(self) -> Option<&'static str> {
        match self {
            Self::PsaUrl => Some("PSA_API_URL"),
            _ => None,
        }
    }

    /// Looks a setting up by name; an unknown name is refused with the list of known ones.
    pub fn parse(name: &str) -> Result<Self, SettingsError> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == name.trim())
            .ok_or_else(|| SettingsError::UnknownKey {
                key: name.to_owned(),
                known: Self::ALL.map(Self::name).join(", "),
            })
    }

    /// Checks a value for this setting and returns it as it will be stored.
    pub fn check(self, value: &str) -> Result<String, SettingsError> {
        let value = value.trim();
        let invalid = |reason: String| SettingsError::InvalidValue {
            key: self.name(),
            reason,
        };
        match self {
            Self::PsaUrl | Self::NcentralUrl => psa::check_url(value)
                .map(|_| value.to_owned())
                .map_err(|e| invalid(e.to_string())),
            Self::NcentralPsaType => {
                if value.is_empty() || value.len() > 64 || value.contains(char::is_whitespace) {
                    Err(invalid(
                        "expected a PSA type such as 3 (Tigerpaw): one word, at most 64 characters"
                            .into(),
                    ))
                } else {
                    Ok(value.to_owned())
                }
            }
            Self::Technician => {
                if value.is_empty()
                    || value.chars().count() > 128
                    || value.contains(char::is_control)
                {
                    Err(invalid(
                        "expected a name on one line, 1 to 128 characters".into(),
                    ))
                } else {
                    Ok(value.to_owned())
                }
            }
            Self::DefaultTenant => TenantId::parse(value)
                .map(|t| t.as_str().to_owned())
                .map_err(|e| invalid(e.to_string())),
            Self::TimeAutoStart | Self::TimeBillable => value
                .parse::<bool>()
                .map(|b| b.to_string())
                .map_err(|_| invalid("expected true or false".into())),
            Self::TimeIncrement => whole_number(value, 1..=60).map_err(|_| {
                invalid("expected whole minutes from 1 to 60 (1, 6 and 15 are common)".into())
            }),
            Self::TimeConfirmAfter => whole_number(value, 1..=72)
                .map_err(|_| invalid("expected whole hours from 1 to 72".into())),
            Self::TimeWorkType => {
                if value.is_empty() || value.len() > 64 || value.contains(char::is_control) {
                    Err(invalid(
                        "expected a short label on one line, e.g. Remote Support".into(),
                    ))
                } else {
                    Ok(value.to_owned())
                }
            }
        }
    }
}

/// A whole number within `range`, as stored.
fn whole_number(value: &str, range: std::ops::RangeInclusive<u32>) -> Result<String, ()> {
    value
        .parse::<u32>()
        .ok()
        .filter(|n| range.contains(n))
        .map(|n| n.to_string())
        .ok_or(())
}

impl fmt::Display for SettingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_known_ones() {
        for key in SettingKey::ALL {
            assert_eq!(SettingKey::parse(key.name()).unwrap(), key);
        }
        let err = SettingKey::parse("psa.key").unwrap_err().to_string();
        assert!(
            err.contains("psa.url, ncentral.url, ncentral.psa_type, technician, tenant"),
            "{err}"
        );
    }

    #[test]
    fn urls_follow_the_psa_rules() {
        assert_eq!(
            SettingKey::PsaUrl
                .check(" https://api.theonepsa.com ")
                .unwrap(),
            "https://api.theonepsa.com"
        );
        assert!(SettingKey::PsaUrl.check("http://127.0.0.1:8080").is_ok());
        let err = SettingKey::NcentralUrl
            .check("http://ncentral.example.com")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("ncentral.url: "), "{err}");
        assert!(err.contains("must use https://"), "{err}");
        assert!(SettingKey::PsaUrl.check("not a url").is_err());
    }

    #[test]
    fn other_values_are_checked() {
        assert!(SettingKey::NcentralPsaType.check("3").is_ok());
        assert!(SettingKey::NcentralPsaType.check("tiger paw").is_err());
        assert!(SettingKey::Technician.check("Dana Smith").is_ok());
        assert!(SettingKey::Technician.check("Dana\nSmith").is_err());
        assert_eq!(SettingKey::DefaultTenant.check("acme").unwrap(), "acme");
        assert!(SettingKey::DefaultTenant.check("ac me").is_err());
    }
}
