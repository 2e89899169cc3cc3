//! The core's remedies in the CLI's words: the commands and settings a person types here.

use oncall_core::{
    DeskError,
    domain::DomainError,
    problem::{Problem, Remedy, Service},
    psa::PsaError,
    store::StoreError,
};

/// The CLI's fix for a failure from the core anywhere in `e`'s chain, if it has a remedy.
pub fn for_error(e: &anyhow::Error) -> Option<String> {
    let problem = e.chain().find_map(|cause| {
        if let Some(e) = cause.downcast_ref::<DeskError>() {
            Some(Problem::from(e))
        } else if let Some(e) = cause.downcast_ref::<StoreError>() {
            Some(Problem::from(e))
        } else if let Some(e) = cause.downcast_ref::<DomainError>() {
            Some(Problem::from(e))
        } else {
            // A keychain error's message already says what to do with the OS keychain.
            cause.downcast_ref::<PsaError>().map(Problem::from)
        }
    })?;
    problem.remedy.as_ref().map(words)
}

/// The remedy as a CLI user acts on it.
pub fn words(remedy: &Remedy) -> String {
    match remedy {
        Remedy::FixInput => "Correct the value and run the command again.".into(),
        Remedy::AddTenant => "Add the tenant first with `oncall tenant add`.".into(),
        Remedy::TryAgain => "Try again in a moment.".into(),
        Remedy::FreeDiskSpace => "Free some disk space, then run the command again.".into(),
        Remedy::MoveDatabaseAside => {
            "Move the file aside, or choose another file with --db (or ONCALL_DB).".into()
        }
        Remedy::Upgrade => "Upgrade oncall-desk to open it.".into(),
        Remedy::UnlockKeychain => "Start or unlock the OS keychain, then try again.".into(),
        Remedy::EnterPsaKey => "Copy the service key again from The One PSA and run \
                                `oncall login psa` (or set PSA_SERVICE_KEY)."
            .into(),
        Remedy::CheckPsaUrl => "Check psa.url: it is the API's base address, e.g. \
                                https://api.theonepsa.com (`oncall config set psa.url URL`)."
            .into(),
        Remedy::SetUpPsa => "Run `oncall config set psa.url https://api.theonepsa.com` (your \
                             PSA's API address) and `oncall login psa`, or set PSA_API_URL and \
                             PSA_SERVICE_KEY."
            .into(),
        Remedy::CheckSettings => "Fix what the message names, then run `oncall wizard` again; \
                                  `oncall config show` says where each value comes from."
            .into(),
        Remedy::SetUpNcentral => "Run `oncall config set ncentral.url \
                                  https://your-n-central-server` and `oncall login ncentral`."
            .into(),
        Remedy::CheckNcentralUrl => "Check ncentral.url: it is the N-central server's address, \
                                     e.g. https://n-central.example.com (`oncall config set \
                                     ncentral.url URL`)."
            .into(),
        Remedy::EnterNcentralLogin => {
            "Run `oncall login ncentral` again with the PSA's username and password.".into()
        }
        Remedy::CheckPsaLogin => {
            "Check them by signing in to the PSA, then run `oncall login ncentral` again.".into()
        }
        Remedy::CheckNcentralLogin => "Check ncentral.psa_type and the stored login (`oncall \
                                       config show`), then run `oncall login ncentral` again."
            .into(),
        Remedy::NewNcentralToken => "Generate a new User-API token for your API user in \
                                     N-central (Administration > User Management) and run \
                                     `oncall login ncentral`."
            .into(),
        Remedy::EnterNcentralIntegrationKey => "Copy the integration key again from \
                                                N-central's PSA integration settings and run \
                                                `oncall login ncentral`."
            .into(),
        Remedy::SetNcentralPsaType => "Run `oncall config set ncentral.psa_type 3` (3 is \
                                       Tigerpaw, the type N-central validates)."
            .into(),
        Remedy::UnsupportedPsaType => "N-central validates credentials for Tigerpaw (type 3) \
                                       only. If you use Tigerpaw, run `oncall config set \
                                       ncentral.psa_type 3`; otherwise check the credentials by \
                                       signing in to your PSA."
            .into(),
        Remedy::CheckTicketId => {
            "Check the ticket id in the PSA: custom PSA ticket ids are the PSA's own ids.".into()
        }
        Remedy::CheckNcentralServer => {
            "Try again later; if it keeps failing, check the N-central server's health.".into()
        }
        Remedy::CheckPsaStatus => {
            "The PSA is degraded: try again later, or check its status page.".into()
        }
        Remedy::AskPsaAdminForTenants => "Ask your PSA administrator to give the service key \
                                          access to your client tenants."
            .into(),
        Remedy::AskPsaAdminForApiAccess => "Ask your PSA administrator to give the service key \
                                            access to the integration API."
            .into(),
        Remedy::CheckTenantIds { psa } => format!(
            "Check the ids with `oncall tenant list`: each must be one of the tenant ids the PSA \
             gives this key ({}). If an id is right, ask your PSA administrator to give the key \
             access to that client.",
            psa.join(", ")
        ),
        Remedy::CheckTenantAccess => "Check the tenant's id (`oncall tenant list`) and the \
                                      service key's client access in the PSA, then run \
                                      `oncall sync --retry`."
            .into(),
        Remedy::WaitThenRetry(Service::OnePsa) => "Run `oncall wizard` again after that. Your \
                                                   MSP's other integrations share this limit, \
                                                   so retrying sooner only makes it worse."
            .into(),
        Remedy::WaitThenRetry(Service::Ncentral) => "Run `oncall wizard` again after that. \
                                                     N-central limits calls per endpoint for \
                                                     all of your integrations, so retrying \
                                                     sooner only makes it worse."
            .into(),
        Remedy::CheckNetwork(Service::OnePsa) => "Check psa.url, your network or VPN \
                                                  connection, and the PSA's status page; then \
                                                  run `oncall wizard` again."
            .into(),
        Remedy::CheckNetwork(Service::Ncentral) => "Check ncentral.url, your network or VPN \
                                                    connection, and that the server is up; then \
                                                    run `oncall wizard` again."
            .into(),
        Remedy::CheckTls(Service::OnePsa) => "Check the host name and https:// in psa.url. An \
                                              HTTPS-inspecting proxy or antivirus, or a wrong \
                                              system clock, also breaks TLS."
            .into(),
        Remedy::CheckTls(Service::Ncentral) => "Check the host name and https:// in \
                                                ncentral.url, and that the server's certificate \
                                                is valid. An HTTPS-inspecting proxy or a wrong \
                                                system clock also breaks TLS."
            .into(),
        Remedy::UseFinalAddress(Service::OnePsa) => "Use the API's final address in psa.url \
                                                     (e.g. https:// instead of http://, or its \
                                                     new host name); if it is right, ask your \
                                                     PSA administrator why it sends you \
                                                     elsewhere."
            .into(),
        Remedy::UseFinalAddress(Service::Ncentral) => "Use the server's final address in \
                                                       ncentral.url (e.g. https:// instead of \
                                                       http://, or its new host name); if it is \
                                                       right, ask your N-central administrator \
                                                       why it sends you elsewhere."
            .into(),
        Remedy::LinkTicket => "Link the incident to its PSA ticket with `oncall link`.".into(),
        Remedy::RetryRefused => "Fix the cause, then run `oncall sync --retry`.".into(),
        Remedy::ConfirmTime => {
            "Confirm it with `oncall time confirm` (add --minutes N to correct it).".into()
        }
        Remedy::AddTimeByHand => "Add the time by hand with `oncall time add`.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remedy_a_person_acts_on_here_names_the_command() {
        assert!(words(&Remedy::EnterPsaKey).contains("`oncall login psa`"));
        assert!(words(&Remedy::AddTenant).contains("`oncall tenant add`"));
        let ids = words(&Remedy::CheckTenantIds {
            psa: vec!["acme".into(), "globex".into()],
        });
        assert!(ids.contains("(acme, globex)"), "{ids}");
    }
}
