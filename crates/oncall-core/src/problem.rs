//! Failures as a front end shows them: a stable code it can act on, a sentence a person can read,
//! and the remedy, which each front end words for its own user (a button in the app, a command
//! in the CLI): the core never tells a desktop user to run a command.

use serde::Serialize;
use ts_rs::TS;

use crate::{
    DeskError, domain::DomainError, psa::PsaError, secrets::KeychainError, settings::SettingsError,
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
    /// The PSA refused the service key (401).
    PsaKeyRefused,
    /// The PSA refused the key for this tenant (403).
    PsaTenantRefused,
    /// The PSA has no such ticket (404).
    PsaNotFound,
    /// The PSA refused the request as it is (400, 409, another 4xx).
    PsaRequestRefused,
    /// The PSA asks to slow down (429).
    PsaRateLimited,
    /// The PSA could not be reached, failed, or the secure connection failed.
    PsaUnreachable,
    /// The PSA redirected, which its API never does.
    PsaRedirected,
    /// The PSA's answer could not be understood or lacks what the API promises.
    PsaBadAnswer,
    /// Anything else.
    Internal,
}

/// The service a remedy is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// The One PSA's API.
    OnePsa,
    /// The N-central server.
    Ncentral,
}

/// What a person can do about a failure; each front end words it for its own user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
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
    /// Check the PSA's address (its API's base address).
    CheckPsaUrl,
    /// Set the PSA's address and service key.
    SetUpPsa,
    /// Fix the setting the message names (see where each value comes from), then check again.
    CheckSettings,
    /// Set the N-central server's address and its login.
    SetUpNcentral,
    /// Check the N-central server's address.
    CheckNcentralUrl,
    /// Enter the N-central login again with the PSA's username and password.
    EnterNcentralLogin,
    /// Check the PSA username and password by signing in to the PSA, then enter them again.
    CheckPsaLogin,
    /// Check the PSA type and the stored N-central login, then enter the login again.
    CheckNcentralLogin,
    /// Generate a new N-central User-API token and enter it.
    NewNcentralToken,
    /// Copy the N-central integration key again and enter it.
    EnterNcentralIntegrationKey,
    /// Set the N-central PSA type to 3 (Tigerpaw, the type N-central validates).
    SetNcentralPsaType,
    /// N-central validates Tigerpaw only: set type 3 if that is the PSA, else check by signing in.
    UnsupportedPsaType,
    /// Check the custom PSA ticket's id in the PSA.
    CheckTicketId,
    /// The N-central server failed: try later, and check its health if it keeps failing.
    CheckNcentralServer,
    /// The PSA reports itself degraded: try later, or check its status page.
    CheckPsaStatus,
    /// Ask the PSA administrator to give the service key access to the client tenants.
    AskPsaAdminForTenants,
    /// Ask the PSA administrator to give the service key access to the integration API.
    AskPsaAdminForApiAccess,
    /// Each local tenant id must be one of the PSA's ids for this key.
    CheckTenantIds {
        /// The PSA's tenant ids for the key.
        psa: Vec<String>,
    },
    /// Check the tenant's id and the service key's client access, then retry the write.
    CheckTenantAccess,
    /// Wait as the service asks, then check again; retrying sooner makes it worse.
    WaitThenRetry(Service),
    /// Check the address, the network or VPN connection and the service's status.
    CheckNetwork(Service),
    /// Check the host name and https:// in the address; a proxy or a wrong clock breaks TLS too.
    CheckTls(Service),
    /// Use the service's final address; ask its administrator if it is right.
    UseFinalAddress(Service),
    /// Link the incident to its PSA ticket by hand.
    LinkTicket,
    /// Fix the cause, then retry the refused PSA write.
    RetryRefused,
    /// Confirm a held time entry (or correct its minutes) so it goes to the PSA.
    ConfirmTime,
    /// Add the time worked by hand.
    AddTimeByHand,
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
            | D::ResolvedIncidentTimer(_) => ErrorCode::NotAllowed,
            _ => ErrorCode::InvalidInput,
        };
        let remedy = match e {
            D::ResolvedIncidentTimer(_) => Some(Remedy::AddTimeByHand),
            _ => (code == ErrorCode::InvalidInput).then_some(Remedy::FixInput),
        };
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

impl From<&PsaError> for Problem {
    fn from(e: &PsaError) -> Self {
        use PsaError as P;
        let (code, remedy) = match e {
            P::Unauthorized => (ErrorCode::PsaKeyRefused, Some(Remedy::EnterPsaKey)),
            P::Forbidden(_) => (ErrorCode::PsaTenantRefused, Some(Remedy::CheckTenantAccess)),
            P::NotFound(_) => (ErrorCode::PsaNotFound, Some(Remedy::LinkTicket)),
            P::Conflict(_) | P::Invalid { .. } => {
                (ErrorCode::PsaRequestRefused, Some(Remedy::RetryRefused))
            }
            P::Rejected { .. } => (ErrorCode::PsaRequestRefused, Some(Remedy::CheckPsaUrl)),
            // Retried by itself once the wait is over: nothing for a person to do.
            P::RateLimited(_) => (ErrorCode::PsaRateLimited, None),
            P::Transient(_) | P::Unreachable(_) => (
                ErrorCode::PsaUnreachable,
                Some(Remedy::CheckNetwork(Service::OnePsa)),
            ),
            P::Tls(_) => (
                ErrorCode::PsaUnreachable,
                Some(Remedy::CheckTls(Service::OnePsa)),
            ),
            P::Redirected { .. } => (
                ErrorCode::PsaRedirected,
                Some(Remedy::UseFinalAddress(Service::OnePsa)),
            ),
            P::Malformed(_) => (ErrorCode::PsaBadAnswer, Some(Remedy::CheckPsaUrl)),
            P::Incomplete(_) => (ErrorCode::PsaBadAnswer, Some(Remedy::LinkTicket)),
        };
        Self::new(code, e, remedy)
    }
}

/// Panics when `text` tells its reader to type a command (`oncall ...`, a `--flag`): what the
/// core says is read in the desktop app as well as in the CLI.
#[cfg(test)]
pub(crate) fn assert_neutral(text: &str) {
    assert!(
        !text.contains("oncall ") && !text.contains("--"),
        "names a command: {text}"
    );
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::{
        domain::{IncidentId, NoteId},
        psa,
    };

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

    #[test]
    fn every_psa_error_has_a_psa_code_and_a_text_for_any_front_end() {
        for e in psa::every_psa_error() {
            assert_neutral(&e.to_string());
            let p = Problem::from(&e);
            assert_neutral(&p.message);
            assert_ne!(p.code, ErrorCode::Internal, "{e:?}");
        }
        let p = Problem::from(&PsaError::Unauthorized);
        assert_eq!(p.code, ErrorCode::PsaKeyRefused);
        assert_eq!(p.remedy, Some(Remedy::EnterPsaKey));
        assert_eq!(
            p.message,
            "the PSA refused the service key (401): it is wrong, revoked or for another PSA"
        );
    }

    #[test]
    fn no_problem_message_names_a_command() {
        let path = PathBuf::from("/home/dana/oncall.sqlite3");
        let store = [
            StoreError::UnknownTenant("acme".into()),
            StoreError::DuplicateTenant("acme".into()),
            StoreError::UnknownIncident(IncidentId(1)),
            StoreError::UnknownNote(NoteId(1)),
            StoreError::UnknownTimeEntry(1),
            StoreError::Busy,
            StoreError::DiskFull,
            StoreError::Damaged("bad page".into()),
            StoreError::NewerSchema {
                path: path.clone(),
                found: 9,
                known: 4,
            },
            StoreError::NotOurs {
                path,
                reason: "file is not a database".into(),
            },
        ];
        let domain = [
            DomainError::AlreadyResolved(IncidentId(1)),
            DomainError::NotAcknowledged(IncidentId(1)),
            DomainError::ResolvedIncidentTimer(IncidentId(1)),
            DomainError::UnknownSeverity("urgent".into()),
        ];
        let keychain = [
            KeychainError::NoSessionBus("no DBUS_SESSION_BUS_ADDRESS".into()),
            KeychainError::NoSecretService("not provided".into()),
            KeychainError::Locked("locked".into()),
            KeychainError::NotPersistent,
            KeychainError::NotText("psa.service_key".into()),
            KeychainError::Failed("boom".into()),
        ];
        let problems = store
            .iter()
            .map(|e| (Problem::from(e), e.to_string()))
            .chain(domain.iter().map(|e| (Problem::from(e), e.to_string())))
            .chain(keychain.iter().map(|e| (Problem::from(e), e.to_string())));
        for (p, text) in problems {
            assert_neutral(&text);
            assert_neutral(&p.message);
        }
        let timer = Problem::from(&DomainError::ResolvedIncidentTimer(IncidentId(1)));
        assert_eq!(timer.remedy, Some(Remedy::AddTimeByHand));
    }
}
