//! Profiles: one technician's set of settings and keychain entries, so one machine can hold
//! several (a second MSP, a test account) without mixing their keys.

use std::fmt;

use serde::Serialize;

use super::SettingsError;

/// A validated profile name: 1 to 64 of `A-Z a-z 0-9 . _ -`. The default is `default`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Profile(String);

impl Profile {
    /// The profile used when none is named.
    pub const DEFAULT: &str = "default";

    /// Checks a profile name. The characters are limited because the name becomes part of each
    /// keychain entry's account name, where a separator in it could collide with another profile.
    pub fn parse(name: &str) -> Result<Self, SettingsError> {
        let ok = (1..=64).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(Self(name.to_owned()))
        } else {
            Err(SettingsError::InvalidProfile(name.to_owned()))
        }
    }

    /// The profile named by `ONCALL_PROFILE`, or `default` when it is unset or blank.
    pub fn from_env() -> Result<Self, SettingsError> {
        match std::env::var("ONCALL_PROFILE") {
            Ok(name) if !name.trim().is_empty() => Self::parse(name.trim()),
            _ => Ok(Self::default()),
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Profile {
    fn default() -> Self {
        Self(Self::DEFAULT.to_owned())
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_are_short_and_plain() {
        assert_eq!(Profile::default().as_str(), "default");
        assert!(Profile::parse("msp-2.test_1").is_ok());
        for bad in ["", "a:b", "a/b", "a b", "é", &"x".repeat(65)] {
            assert!(Profile::parse(bad).is_err(), "{bad:?}");
        }
    }
}
