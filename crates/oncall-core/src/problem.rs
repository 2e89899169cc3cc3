//! Failures as a front end shows them: a stable code it can act on, a sentence a person can read,
//! and the remedy, which each front end words for its own user (a button in the app, a command
//! in the CLI): the core never tells a desktop user to run a command.

use serde::Serialize;
use ts_rs::TS;

use crate::{
    DeskError, domain::DomainError, secrets::KeychainError, settings::SettingsError,
    store::StoreError,
};

/// What kind of failure, stable across versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input broke a rule (empty, too long, a control character, a bad value).
    InvalidInput,
    /// The action does not fit the incident's state (acknowledged twice, resolved already).
    NotAllowed,
    /// No such incident, note, tenant or time entry.
    NotFound,
    /// Another program held the database too long.
    DatabaseBusy,
    /// The disk is full: nothing was saved.
    DiskFull,
    /// The database cannot be used (not ours, damaged, from a newer version).
    DatabaseUnusable,
    /// The OS keychain cannot be used.
    Keychain,
    /// A setting is invalid or the settings file cannot be read or written.
    Settings,
    /// The PSA refused or failed; see the message.
    Psa,
    /// Anything else.
    Internal,
}

/// What a person can do about a failure; each front end words it for its own user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Remedy {
    /// Correct what was typed.
    FixInput,
    /// Add the tenant first.
    AddTenant,
    /// Try again in a moment.
    TryAgain,
    /// Free disk space, then try again.
    FreeDiskSpace,
    /// Move the database file aside or choose another.
    MoveDatabaseAside,
    /// Install a newer version of oncall-desk.
    Upgrade,
    /// Unlock the login keychain (or start the keychain service).
    UnlockKeychain,
    /// Enter the PSA service key again.
    EnterPsaKey,
    /// Check the PSA's address.
    CheckPsaUrl,
}

/// A failure ready for a front end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The kind.
    pub code: ErrorCode,
    /// What happened, in a sentence, without instructions for any one front end.
    pub message: String,
    /// What the person can do about it.
    pub remedy: Option<Remedy>,
}

impl Problem {
    fn new(code: ErrorCode, message: impl ToString, remedy: Option<Remedy>) -> Self {
        Self {
            code,
            message: message.to_string(),
            remedy,
        }
    }
}

impl From<&DeskError> for Problem {
    fn from(e: &DeskError) -> Self {
        match e {
            DeskError::Domain(e) => e.into(),
            DeskError::Store(e) => e.into(),
        }
    }
}

impl From<&DomainError> for Problem {
    fn from(e: &DomainError) -> Self {
        use DomainError as D;
        let code = match e {
            D::AlreadyAcknowledged { .. }
            | D::AlreadyResolved(_)
            | D::NotAcknowledged(_)
            | D::AlreadyLinked { .. }
            | D::TimerRunning { .. }
            | D::NoTimer { .. }
            | D::EntrySent(_)
            | D::ResolvedIncidentTimer(_) => ErrorCode::NotAllowed,
            _ => ErrorCode::InvalidInput,
        };
        let remedy = (code == ErrorCode::InvalidInput).then_some(Remedy::FixInput);
        Self::new(code, e, remedy)
    }
}

impl From<&StoreError> for Problem {
    fn from(e: &StoreError) -> Self {
        use StoreError as S;
        match e {
            S::UnknownTenant(id) => Self::new(
                ErrorCode::NotFound,
                format!("unknown tenant '{id}'"),
                Some(Remedy::AddTenant),
            ),
            S::UnknownIncident(_) | S::UnknownNote(_) | S::UnknownTimeEntry(_) => {
                Self::new(ErrorCode::NotFound, e, None)
            }
            S::DuplicateTenant(_) | S::TooLarge { .. } => {
                Self::new(ErrorCode::InvalidInput, e, Some(Remedy::FixInput))
            }
            S::Busy => Self::new(
                ErrorCode::DatabaseBusy,
                "the database is busy (another oncall-desk is writing to it)",
                Some(Remedy::TryAgain),
            ),
            S::DiskFull => Self::new(
                ErrorCode::DiskFull,
                "the disk is full, so this was not saved (everything saved before is intact)",
                Some(Remedy::FreeDiskSpace),
            ),
            S::NewerSchema { path, .. } => Self::new(
                ErrorCode::DatabaseUnusable,
                format!(
                    "{} was written by a newer oncall-desk; it was not changed",
                    path.display()
                ),
                Some(Remedy::Upgrade),
            ),
            S::NotOurs { path, reason } => Self::new(
                ErrorCode::DatabaseUnusable,
                format!(
                    "{} is not an oncall-desk database or is damaged ({reason}); it was not changed",
                    path.display()
                ),
                Some(Remedy::MoveDatabaseAside),
            ),
            S::Open { .. } | S::Damaged(_) | S::Sqlite(_) => {
                Self::new(ErrorCode::Internal, e, None)
            }
        }
    }
}

impl From<&KeychainError> for Problem {
    fn from(e: &KeychainError) -> Self {
        Self::new(ErrorCode::Keychain, e, Some(Remedy::UnlockKeychain))
    }
}

impl From<&SettingsError> for Problem {
    fn from(e: &SettingsError) -> Self {
        Self::new(ErrorCode::Settings, e, Some(Remedy::FixInput))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::IncidentId;

    #[test]
    fn a_missing_tenant_names_the_remedy_not_a_command() {
        let p = Problem::from(&StoreError::UnknownTenant("acme".into()));
        assert_eq!(p.code, ErrorCode::NotFound);
        assert_eq!(p.remedy, Some(Remedy::AddTenant));
        assert!(!p.message.contains("oncall"), "{}", p.message);
    }

    #[test]
    fn a_state_rule_is_not_allowed_rather_than_invalid_input() {
        let p = Problem::from(&DomainError::AlreadyResolved(IncidentId(3)));
        assert_eq!(p.code, ErrorCode::NotAllowed);
        assert_eq!(p.remedy, None);
    }
}
