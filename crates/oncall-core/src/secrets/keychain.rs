//! The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager) through the
//! `keyring` crate: the one module that touches it. Calls block (up to ~2 s when the Secret
//! Service hangs), so async code runs them on a blocking thread.

use std::fmt;

use keyring::credential::CredentialPersistence;

use super::Secret;
use crate::settings::Profile;

/// The keychain service name every oncall-desk entry is stored under.
pub const KEYCHAIN_SERVICE: &str = "oncall-desk";

/// A secret oncall-desk keeps in the keychain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKey {
    /// The One PSA service key (`PSA_SERVICE_KEY` overrides it).
    PsaServiceKey,
    /// The N-central User-API token (JWT).
    NcentralJwt,
    /// The N-central `INTEGRATION-KEY`.
    NcentralIntegrationKey,
    /// The username of the standard PSA that N-central validates.
    NcentralUsername,
    /// The password of the standard PSA that N-central validates.
    NcentralPassword,
}

impl SecretKey {
    /// Every secret, in the order `oncall config show` lists them.
    pub const ALL: [Self; 5] = [
        Self::PsaServiceKey,
        Self::NcentralJwt,
        Self::NcentralIntegrationKey,
        Self::NcentralUsername,
        Self::NcentralPassword,
    ];

    /// The N-central login's parts.
    pub const NCENTRAL_LOGIN: [Self; 4] = [
        Self::NcentralJwt,
        Self::NcentralIntegrationKey,
        Self::NcentralUsername,
        Self::NcentralPassword,
    ];

    /// The secret's name in `oncall config show` and in its keychain account name.
    pub fn name(self) -> &'static str {
        match self {
            Self::PsaServiceKey => "psa.service_key",
            Self::NcentralJwt => "ncentral.jwt",
            Self::NcentralIntegrationKey => "ncentral.integration_key",
            Self::NcentralUsername => "ncentral.username",
            Self::NcentralPassword => "ncentral.password",
        }
    }

    /// The environment variable that overrides the keychain, if any (the On-Call name).
    pub fn env_var(self) -> Option<&'static str> {
        match self {
            Self::PsaServiceKey => Some("PSA_SERVICE_KEY"),
            _ => None,
        }
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why the keychain could not be used. Each message says what is wrong and how to fix it.
/// None of them carries a secret: the details are the keychain service's own error texts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    /// No D-Bus session bus to reach a Secret Service through.
    #[error(
        "the OS keychain is unavailable: there is no D-Bus session bus ({0}). Run oncall-desk in \
         a desktop session with a Secret Service (GNOME Keyring, KWallet or KeePassXC), or set \
         PSA_API_URL and PSA_SERVICE_KEY in the environment instead"
    )]
    NoSessionBus(String),
    /// A session bus, but no Secret Service on it.
    #[error(
        "the OS keychain is unavailable: no Secret Service is running ({0}). Start one (GNOME \
         Keyring's secrets component, or KeePassXC's Secret Service integration) and unlock it, \
         or set PSA_API_URL and PSA_SERVICE_KEY in the environment instead"
    )]
    NoSecretService(String),
    /// The keychain is locked, or has no default collection to store in.
    #[error(
        "the OS keychain is locked or has no default keyring ({0}). Unlock it (log in to the \
         desktop, or open your keyring app and unlock the login keyring), then try again; or set \
         PSA_API_URL and PSA_SERVICE_KEY in the environment instead"
    )]
    Locked(String),
    /// This build has no OS keychain for this platform; secrets are never kept anywhere else.
    #[error(
        "this build of oncall-desk has no OS keychain for this platform, and secrets are never \
         kept in a plain file; set PSA_API_URL and PSA_SERVICE_KEY in the environment instead"
    )]
    NotPersistent,
    /// More than one keychain item matches an entry (made by another tool).
    #[error(
        "the OS keychain holds {count} items for {account}; delete the extra ones in your \
         keyring app, then try again"
    )]
    Ambiguous {
        /// The entry's account name.
        account: String,
        /// How many items match.
        count: usize,
    },
    /// An item that is not text (made by another tool).
    #[error(
        "the OS keychain item for {0} is not text; delete it in your keyring app, then log in again"
    )]
    NotText(String),
    /// Any other failure of the keychain.
    #[error("the OS keychain failed: {0}")]
    Failed(String),
}

impl KeychainError {
    /// Maps keyring's error. `BadEncoding` carries the stored bytes, so it is never formatted.
    fn from_keyring(e: keyring::Error, account: &str) -> Self {
        match e {
            keyring::Error::PlatformFailure(inner) => classify_platform_failure(&*inner),
            keyring::Error::NoStorageAccess(inner) => Self::Locked(inner.to_string()),
            keyring::Error::BadEncoding(_) => Self::NotText(account.to_owned()),
            keyring::Error::Ambiguous(items) => Self::Ambiguous {
                account: account.to_owned(),
                count: items.len(),
            },
            other => Self::Failed(other.to_string()),
        }
    }
}

/// Tells a missing bus from a missing Secret Service by the D-Bus error name, which only the
/// `Debug` form of the D-Bus error shows (e.g. `org.freedesktop.DBus.Error.ServiceUnknown`).
fn classify_platform_failure(inner: &(dyn std::error::Error + Send + Sync)) -> KeychainError {
    let mut names = format!("{inner:?}");
    let mut source = inner.source();
    while let Some(s) = source {
        names.push_str(&format!(" {s:?}"));
        source = s.source();
    }
    let detail = inner.to_string();
    let has = |needle: &str| names.contains(needle);
    if has("ServiceUnknown") || has("NameHasNoOwner") {
        KeychainError::NoSecretService(detail)
    } else if has("FileNotFound")
        || has("NoServer")
        || has("NotSupported")
        || has("Failed to connect")
        || has("DBUS_SESSION_BUS_ADDRESS")
    {
        KeychainError::NoSessionBus(detail)
    } else {
        KeychainError::Failed(detail)
    }
}

/// The OS keychain, scoped to one profile: each secret is one entry under the service
/// [`KEYCHAIN_SERVICE`] with the account `<profile>:<secret name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keychain {
    profile: Profile,
}

impl Keychain {
    /// The keychain entries of `profile`.
    pub fn new(profile: Profile) -> Self {
        Self { profile }
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The account name (the Secret Service `username` attribute) of `key`'s entry.
    pub fn account(&self, key: SecretKey) -> String {
        format!("{}:{}", self.profile, key.name())
    }

    /// Reads a secret; `None` when it is not stored.
    pub fn get(&self, key: SecretKey) -> Result<Option<Secret>, KeychainError> {
        let (entry, account) = self.entry(key)?;
        let value = match entry.get_password() {
            Ok(v) => Some(Secret::new(v)),
            Err(keyring::Error::NoEntry) => None,
            Err(e) => return Err(KeychainError::from_keyring(e, &account)),
        };
        tracing::debug!(target: "keychain", %account, found = value.is_some(), "read");
        Ok(value)
    }

    /// Stores a secret, replacing any earlier value.
    pub fn set(&self, key: SecretKey, value: &Secret) -> Result<(), KeychainError> {
        let (entry, account) = self.entry(key)?;
        entry
            .set_password(value.expose())
            .map_err(|e| KeychainError::from_keyring(e, &account))?;
        tracing::debug!(target: "keychain", %account, "stored");
        Ok(())
    }

    /// Deletes a secret; says whether one was stored.
    pub fn delete(&self, key: SecretKey) -> Result<bool, KeychainError> {
        let (entry, account) = self.entry(key)?;
        let deleted = match entry.delete_credential() {
            Ok(()) => true,
            Err(keyring::Error::NoEntry) => false,
            Err(e) => return Err(KeychainError::from_keyring(e, &account)),
        };
        tracing::debug!(target: "keychain", %account, deleted, "deleted");
        Ok(deleted)
    }

    fn entry(&self, key: SecretKey) -> Result<(keyring::Entry, String), KeychainError> {
        // keyring falls back to an in-memory mock where it has no store for the platform:
        // refuse that, or a "stored" key would vanish when the process ends.
        if !matches!(
            keyring::default::default_credential_builder().persistence(),
            CredentialPersistence::UntilDelete | CredentialPersistence::UntilReboot
        ) {
            return Err(KeychainError::NotPersistent);
        }
        let account = self.account(key);
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, &account)
            .map_err(|e| KeychainError::from_keyring(e, &account))?;
        Ok((entry, account))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_name_the_profile_and_the_secret() {
        let k = Keychain::new(Profile::parse("msp2").unwrap());
        assert_eq!(k.account(SecretKey::PsaServiceKey), "msp2:psa.service_key");
        assert_eq!(k.account(SecretKey::NcentralJwt), "msp2:ncentral.jwt");
    }

    #[test]
    fn undecodable_items_are_reported_without_their_bytes() {
        let e = KeychainError::from_keyring(
            keyring::Error::BadEncoding(b"sk-live-\xff".to_vec()),
            "default:psa.service_key",
        );
        assert!(!format!("{e} {e:?}").contains("sk-live"));
    }
}
