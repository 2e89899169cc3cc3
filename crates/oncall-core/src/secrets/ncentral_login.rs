//! The N-central login: the User-API token, the integration key, and the standard PSA's
//! username and password, kept as four keychain entries of one profile.

use super::{Keychain, KeychainError, Secret, SecretKey};

/// Why a login cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// A required part is empty.
    #[error("the N-central {0} is empty")]
    Empty(&'static str),
}

/// Everything the N-central PSA API asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NcentralLogin {
    /// The User-API token (JWT), sent as `Authorization: Bearer`.
    pub jwt: Secret,
    /// The `INTEGRATION-KEY` header's value.
    pub integration_key: Secret,
    /// The standard PSA's username (not secret, but kept with the password it belongs to).
    pub username: String,
    /// The standard PSA's password.
    pub password: Secret,
}

impl NcentralLogin {
    /// Checks that every part is present. Tokens, keys and the username are trimmed (a pasted
    /// line ends in a newline); the password is kept as typed, spaces included.
    pub fn new(
        jwt: &str,
        integration_key: &str,
        username: &str,
        password: &str,
    ) -> Result<Self, LoginError> {
        let required = |what, value: &str| {
            if value.is_empty() {
                Err(LoginError::Empty(what))
            } else {
                Ok(())
            }
        };
        required("token (jwt)", jwt.trim())?;
        required("integration key", integration_key.trim())?;
        required("username", username.trim())?;
        required("password", password)?;
        Ok(Self {
            jwt: Secret::new(jwt.trim()),
            integration_key: Secret::new(integration_key.trim()),
            username: username.trim().to_owned(),
            password: Secret::new(password),
        })
    }

    /// Reads the login of `keychain`'s profile; `None` unless all four parts are stored.
    pub fn load(keychain: &Keychain) -> Result<Option<Self>, KeychainError> {
        let get = |key| keychain.get(key);
        let (Some(jwt), Some(integration_key), Some(username), Some(password)) = (
            get(SecretKey::NcentralJwt)?,
            get(SecretKey::NcentralIntegrationKey)?,
            get(SecretKey::NcentralUsername)?,
            get(SecretKey::NcentralPassword)?,
        ) else {
            return Ok(None);
        };
        Ok(Some(Self {
            jwt,
            integration_key,
            username: username.expose().to_owned(),
            password,
        }))
    }

    /// Stores the login, replacing every part of an earlier one.
    pub fn store(&self, keychain: &Keychain) -> Result<(), KeychainError> {
        let username = Secret::new(self.username.clone());
        for (key, value) in SecretKey::NCENTRAL_LOGIN.into_iter().zip([
            &self.jwt,
            &self.integration_key,
            &username,
            &self.password,
        ]) {
            keychain.set(key, value)?;
        }
        Ok(())
    }

    /// Deletes every part of the login; says whether any was stored.
    pub fn delete(keychain: &Keychain) -> Result<bool, KeychainError> {
        let mut any = false;
        for key in SecretKey::NCENTRAL_LOGIN {
            any |= keychain.delete(key)?;
        }
        Ok(any)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_is_required_and_only_the_password_keeps_its_spaces() {
        let l = NcentralLogin::new(" jwt\n", "ik\n", " tech@example.com ", " pw ").unwrap();
        assert_eq!(l.jwt.expose(), "jwt");
        assert_eq!(l.integration_key.expose(), "ik");
        assert_eq!(l.username, "tech@example.com");
        assert_eq!(l.password.expose(), " pw ");
        assert_eq!(
            NcentralLogin::new("j", " ", "u", "p").unwrap_err(),
            LoginError::Empty("integration key")
        );
        assert!(NcentralLogin::new("j", "k", "u", "").is_err());
    }

    #[test]
    fn a_login_never_formats_its_secrets_not_even_in_a_panic() {
        let l = NcentralLogin::new("jwt-secret", "ik-secret", "tech", "pw-secret").unwrap();
        let debug = format!("{l:?}");
        let panic = std::panic::catch_unwind(|| panic!("login: {l:?}")).unwrap_err();
        let message = panic.downcast_ref::<String>().expect("a formatted panic");
        assert!(message.contains("tech"), "{message}");
        for secret in ["jwt-secret", "ik-secret", "pw-secret"] {
            assert!(!debug.contains(secret), "{debug}");
            assert!(!message.contains(secret), "{message}");
        }
    }
}
