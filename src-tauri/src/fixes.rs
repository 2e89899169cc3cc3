//! Errors as the desktop shows them: the core's problem with its remedy worded for a person
//! using this app (a place to click, never a command to type).

use oncall_core::{
    DeskError,
    problem::{ErrorCode, Problem, Remedy, Service},
    view::UiError,
};

/// The remedy in the app's words.
pub fn words(remedy: &Remedy) -> String {
    let text = match remedy {
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
        Remedy::EnterPsaKey => {
            "Copy the service key again from The One PSA, paste it in Settings under The One PSA, \
             and save."
        }
        Remedy::CheckPsaUrl => {
            "Open Settings and check the PSA URL: it is the API's base address, e.g. \
             https://api.theonepsa.com."
        }
        Remedy::SetUpPsa => {
            "Open Settings and enter The One PSA's URL (its API address) and service key."
        }
        Remedy::CheckSettings => {
            "Open Settings, correct the value the message names, save, and check again."
        }
        Remedy::SetUpNcentral => {
            "Open Settings and enter the N-central server URL, API token, integration key and \
             PSA login."
        }
        Remedy::CheckNcentralUrl => {
            "Open Settings and check the N-central server URL, e.g. https://n-central.example.com."
        }
        Remedy::EnterNcentralLogin => {
            "Open Settings and enter the PSA username and password under N-central again."
        }
        Remedy::CheckPsaLogin => {
            "Check them by signing in to the PSA, then enter them in Settings under N-central \
             again."
        }
        Remedy::CheckNcentralLogin => {
            "Open Settings and check the PSA type and the PSA login under N-central."
        }
        Remedy::NewNcentralToken => {
            "Generate a new User-API token for your API user in N-central (Administration > \
             User Management) and paste it in Settings under N-central."
        }
        Remedy::EnterNcentralIntegrationKey => {
            "Copy the integration key again from N-central's PSA integration settings and paste \
             it in Settings under N-central."
        }
        Remedy::SetNcentralPsaType => {
            "Open Settings and set the PSA type under N-central to 3 (Tigerpaw, the type \
             N-central validates)."
        }
        Remedy::UnsupportedPsaType => {
            "N-central validates credentials for Tigerpaw (type 3) only. If you use Tigerpaw, \
             set the PSA type to 3 in Settings; otherwise check the credentials by signing in to \
             your PSA."
        }
        Remedy::CheckTicketId => {
            "Check the ticket id in the PSA: custom PSA ticket ids are the PSA's own ids."
        }
        Remedy::CheckNcentralServer => {
            "Try again later; if it keeps failing, check the N-central server's health."
        }
        Remedy::CheckPsaStatus => "The PSA is degraded: try again later, or check its status page.",
        Remedy::AskPsaAdminForTenants => {
            "Ask your PSA administrator to give the service key access to your client tenants."
        }
        Remedy::AskPsaAdminForApiAccess => {
            "Ask your PSA administrator to give the service key access to the integration API."
        }
        Remedy::CheckTenantIds { psa } => {
            return format!(
                "Check the ids under Tenants: each must be one of the tenant ids the PSA gives \
                 this key ({}). If an id is right, ask your PSA administrator to give the key \
                 access to that client.",
                psa.join(", ")
            );
        }
        Remedy::CheckTenantAccess => {
            "Check the tenant's id under Tenants and the service key's client access in the PSA, \
             then press Retry in the sync log."
        }
        Remedy::WaitThenRetry(Service::OnePsa) => {
            "Check again after that. Your MSP's other integrations share this limit, so checking \
             sooner only makes it worse."
        }
        Remedy::WaitThenRetry(Service::Ncentral) => {
            "Check again after that. N-central limits calls per endpoint for all of your \
             integrations, so checking sooner only makes it worse."
        }
        Remedy::CheckNetwork(Service::OnePsa) => {
            "Check the PSA URL in Settings, your network or VPN connection, and the PSA's status \
             page; then try again."
        }
        Remedy::CheckNetwork(Service::Ncentral) => {
            "Check the N-central server URL in Settings, your network or VPN connection, and that \
             the server is up; then try again."
        }
        Remedy::CheckTls(Service::OnePsa) => {
            "Check the host name and https:// in the PSA URL in Settings. An HTTPS-inspecting \
             proxy or antivirus, or a wrong system clock, also breaks TLS."
        }
        Remedy::CheckTls(Service::Ncentral) => {
            "Check the host name and https:// in the N-central server URL in Settings, and that \
             the server's certificate is valid. An HTTPS-inspecting proxy or a wrong system \
             clock also breaks TLS."
        }
        Remedy::UseFinalAddress(Service::OnePsa) => {
            "Enter the API's final address as the PSA URL in Settings (e.g. https:// instead of \
             http://, or its new host name); if it is right, ask your PSA administrator why it \
             sends you elsewhere."
        }
        Remedy::UseFinalAddress(Service::Ncentral) => {
            "Enter the server's final address as the N-central server URL in Settings (e.g. \
             https:// instead of http://, or its new host name); if it is right, ask your \
             N-central administrator why it sends you elsewhere."
        }
        Remedy::LinkTicket => "Press Link ticket on the incident and enter its PSA ticket id.",
        Remedy::RetryRefused => "Fix the cause, then press Retry in the sync log.",
        Remedy::ConfirmTime => {
            "Confirm the held time entry (or correct its minutes) on the incident's Time panel."
        }
        Remedy::AddTimeByHand => "Add the time on the incident's Time panel with Add time.",
    };
    text.to_owned()
}

/// A core problem for the UI.
pub fn ui(problem: Problem) -> UiError {
    UiError {
        code: problem.code,
        message: capitalise(&problem.message),
        fix: problem.remedy.as_ref().map(words),
    }
}

/// A desk error for the UI.
pub fn desk(e: &DeskError) -> UiError {
    ui(Problem::from(e))
}

/// Why the app could not start: the desk's own problem (a database that is not one, or is
/// newer) with its remedy, or the error's chain as it is.
pub fn startup(e: &anyhow::Error) -> UiError {
    match e.downcast_ref::<DeskError>() {
        Some(d) => desk(d),
        None => own(ErrorCode::Internal, capitalise(&format!("{e:#}")), None),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every remedy once; the match fails to compile when one is added without a sample here.
    fn every_remedy() -> Vec<Remedy> {
        use Remedy as R;
        let mut all = vec![
            R::FixInput,
            R::AddTenant,
            R::TryAgain,
            R::FreeDiskSpace,
            R::MoveDatabaseAside,
            R::Upgrade,
            R::UnlockKeychain,
            R::EnterPsaKey,
            R::CheckPsaUrl,
            R::SetUpPsa,
            R::CheckSettings,
            R::SetUpNcentral,
            R::CheckNcentralUrl,
            R::EnterNcentralLogin,
            R::CheckPsaLogin,
            R::CheckNcentralLogin,
            R::NewNcentralToken,
            R::EnterNcentralIntegrationKey,
            R::SetNcentralPsaType,
            R::UnsupportedPsaType,
            R::CheckTicketId,
            R::CheckNcentralServer,
            R::CheckPsaStatus,
            R::AskPsaAdminForTenants,
            R::AskPsaAdminForApiAccess,
            R::CheckTenantIds {
                psa: vec!["acme".into()],
            },
            R::CheckTenantAccess,
            R::LinkTicket,
            R::RetryRefused,
            R::ConfirmTime,
            R::AddTimeByHand,
        ];
        for service in [Service::OnePsa, Service::Ncentral] {
            all.extend([
                R::WaitThenRetry(service),
                R::CheckNetwork(service),
                R::CheckTls(service),
                R::UseFinalAddress(service),
            ]);
        }
        for r in &all {
            match r {
                R::FixInput
                | R::AddTenant
                | R::TryAgain
                | R::FreeDiskSpace
                | R::MoveDatabaseAside
                | R::Upgrade
                | R::UnlockKeychain
                | R::EnterPsaKey
                | R::CheckPsaUrl
                | R::SetUpPsa
                | R::CheckSettings
                | R::SetUpNcentral
                | R::CheckNcentralUrl
                | R::EnterNcentralLogin
                | R::CheckPsaLogin
                | R::CheckNcentralLogin
                | R::NewNcentralToken
                | R::EnterNcentralIntegrationKey
                | R::SetNcentralPsaType
                | R::UnsupportedPsaType
                | R::CheckTicketId
                | R::CheckNcentralServer
                | R::CheckPsaStatus
                | R::AskPsaAdminForTenants
                | R::AskPsaAdminForApiAccess
                | R::CheckTenantIds { .. }
                | R::CheckTenantAccess
                | R::WaitThenRetry(_)
                | R::CheckNetwork(_)
                | R::CheckTls(_)
                | R::UseFinalAddress(_)
                | R::LinkTicket
                | R::RetryRefused
                | R::ConfirmTime
                | R::AddTimeByHand => {}
            }
        }
        all
    }

    #[test]
    fn no_desktop_fix_tells_the_user_to_type_a_command() {
        for remedy in every_remedy() {
            let text = words(&remedy);
            assert!(
                !text.contains("oncall ") && !text.contains("--") && !text.contains('`'),
                "{remedy:?}: {text}"
            );
        }
        assert!(
            words(&Remedy::CheckTenantIds {
                psa: vec!["acme".into()]
            })
            .contains("(acme)")
        );
    }

    #[test]
    fn a_refused_key_points_to_settings() {
        let e = ui(Problem::from(&oncall_core::psa::PsaError::Unauthorized));
        assert_eq!(e.code, ErrorCode::PsaKeyRefused);
        assert!(
            e.message.starts_with("The PSA refused the service key"),
            "{}",
            e.message
        );
        assert!(e.fix.is_some_and(|f| f.contains("Settings")));
    }
}
