//! Secrets: held in memory only as [`Secret`], which never prints its value, and stored only in
//! the OS keychain ([`Keychain`]), never in a file or the database.

mod keychain;
mod ncentral_login;

use std::fmt;

pub use keychain::{KEYCHAIN_SERVICE, Keychain, KeychainError, SecretKey};
pub use ncentral_login::{LoginError, NcentralLogin};

/// A secret value (a PSA service key, a password, a token). `Debug` and `Display` show
/// `[redacted]`, so a secret cannot reach a log, a panic message or an error by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that must send it (an HTTP header, the keychain).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_formats_its_value() {
        let s = Secret::new("sk-live-123456");
        assert!(!format!("{s:?} {s} {:?}", Some(&s)).contains("sk-live"));
        assert_eq!(s.expose(), "sk-live-123456");
    }
}
