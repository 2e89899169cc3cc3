//! Errors as the desktop shows them: the core's problem with its remedy worded for a person
//! using this app (a place to click, never a command to type).

use oncall_core::{
    DeskError,
    problem::{ErrorCode, Problem, Remedy},
    view::UiError,
};

/// The remedy in the app's words.
fn words(remedy: Remedy) -> &'static str {
    match remedy {
        Remedy::FixInput => "Correct the highlighted value and try again.",
        Remedy::AddTenant => "Add the tenant under Tenants first.",
        Remedy::TryAgain => "Try again in a moment.",
        Remedy::FreeDiskSpace => {
            "Free some disk space, then try again; what you typed is still in the form."
        }
        Remedy::MoveDatabaseAside => {
            "Move the database file aside (or set ONCALL_DB to another file) and restart oncall-desk."
        }
        Remedy::Upgrade => "Install the newest oncall-desk to open this database.",
        Remedy::UnlockKeychain => {
            "Unlock your login keychain (or start the keyring service), then try again."
        }
        Remedy::EnterPsaKey => "Open Settings and enter the PSA service key again.",
        Remedy::CheckPsaUrl => "Open Settings and check the PSA address.",
    }
}

/// A core problem for the UI.
pub fn ui(problem: Problem) -> UiError {
    UiError {
        code: problem.code,
        message: capitalise(&problem.message),
        fix: problem.remedy.map(|r| words(r).to_owned()),
    }
}

/// A desk error for the UI.
pub fn desk(e: &DeskError) -> UiError {
    ui(Problem::from(e))
}

/// An error with a code and words of the app's own.
pub fn own(code: ErrorCode, message: impl Into<String>, fix: Option<&str>) -> UiError {
    UiError {
        code,
        message: message.into(),
        fix: fix.map(str::to_owned),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
