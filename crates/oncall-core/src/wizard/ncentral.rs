//! The N-central steps: sign in (token exchange), discovery by `_links`, the standard PSA's
//! credential validation, and an optional custom-PSA ticket look-up.

use jiff::Timestamp;

use super::{Blocker, Details, NcentralAccess, Step, StepResult, retry_after};
use crate::{
    problem::{Remedy, Service},
    psa::{CustomPsaTicket, Discovery, NcentralClient, NcentralError, TokenExchange},
};

/// Steps ncentral_login, ncentral_discovery, ncentral_psa_credentials and, when a ticket id
/// is given, ncentral_ticket.
pub(super) async fn steps(
    access: &Result<NcentralAccess, Blocker>,
    ticket: Option<&str>,
    now: Timestamp,
) -> Vec<StepResult> {
    let mut later = vec![Step::NcentralDiscovery, Step::NcentralPsaCredentials];
    if ticket.is_some() {
        later.push(Step::NcentralTicket);
    }
    let skip_all = |results: &mut Vec<StepResult>, because: Step, steps: &[Step]| {
        results.extend(steps.iter().map(|s| StepResult::skipped(*s, because)));
    };
    let mut results = Vec::new();

    let access = match access {
        Ok(a) => a,
        Err(b) => {
            results.push(StepResult::blocked(Step::NcentralLogin, b));
            skip_all(&mut results, Step::NcentralLogin, &later);
            return results;
        }
    };
    let url = access.config.url.to_string();
    let explain = |step, e: &NcentralError| explain(step, e, &url, now);

    let mut client = match NcentralClient::new(access.config.clone()) {
        Ok(c) => c,
        Err(e) => {
            results.push(explain(Step::NcentralLogin, &e));
            skip_all(&mut results, Step::NcentralLogin, &later);
            return results;
        }
    };
    match client.authenticate().await {
        Ok(TokenExchange::Exchanged) => results.push(StepResult::passed(
            Step::NcentralLogin,
            format!("N-central at {url} accepted the User-API token and issued an access token."),
        )),
        Ok(TokenExchange::NotOffered) => results.push(StepResult::passed(
            Step::NcentralLogin,
            format!(
                "N-central at {url} offers no token exchange (/api/auth/authenticate answered \
                 404), so the User-API token is sent as it is."
            ),
        )),
        Err(e) => {
            results.push(explain(Step::NcentralLogin, &e));
            skip_all(&mut results, Step::NcentralLogin, &later);
            return results;
        }
    }

    let discovery = match client.discover().await {
        Ok(d) if d.link(Discovery::VALIDATE_CREDENTIAL).is_some() => {
            let ticket_lookup = if d.link(Discovery::TICKET_INFO).is_some() {
                " and custom PSA ticket look-up"
            } else {
                " (but no custom PSA ticket look-up)"
            };
            results.push(StepResult::passed(
                Step::NcentralDiscovery,
                format!("N-central offers standard PSA credential validation{ticket_lookup}."),
            ));
            d
        }
        Ok(_) => {
            let missing = NcentralError::MissingLink(Discovery::VALIDATE_CREDENTIAL.into());
            results.push(explain(Step::NcentralDiscovery, &missing));
            skip_all(&mut results, Step::NcentralDiscovery, &later[1..]);
            return results;
        }
        Err(e) => {
            results.push(explain(Step::NcentralDiscovery, &e));
            skip_all(&mut results, Step::NcentralDiscovery, &later[1..]);
            return results;
        }
    };

    results.push(credentials(&client, &discovery, access, &explain).await);
    if let Some(id) = ticket {
        results.push(ticket_step(&client, &discovery, access, id, &explain).await);
    }
    results
}

async fn credentials(
    client: &NcentralClient,
    discovery: &Discovery,
    access: &NcentralAccess,
    explain: &impl Fn(Step, &NcentralError) -> StepResult,
) -> StepResult {
    let step = Step::NcentralPsaCredentials;
    let Some(psa_type) = access.psa_type.as_deref() else {
        return StepResult::failed(
            step,
            "No PSA type is set, so N-central cannot validate the PSA credentials.".into(),
            Remedy::SetNcentralPsaType,
        );
    };
    let user = &access.username;
    match client
        .validate_credentials(discovery, psa_type, user, &access.password)
        .await
    {
        Ok(true) => StepResult::passed(
            step,
            format!("N-central validated the PSA credentials of {user} (PSA type {psa_type})."),
        ),
        Ok(false) => StepResult::failed(
            step,
            format!(
                "N-central says the PSA username or password is not valid (PSA type {psa_type}, \
                 username {user})."
            ),
            Remedy::CheckPsaLogin,
        ),
        // A type the server does not support answers 400 without a field, or 404 (psa-contract.md §2.2).
        Err(e @ (NcentralError::BadRequest { field: None, .. } | NcentralError::NotFound(_))) => {
            StepResult::failed(
                step,
                format!(
                    "PSA type '{psa_type}' cannot be validated by N-central ({}).",
                    match e {
                        NcentralError::NotFound(_) => "404",
                        _ => "400",
                    }
                ),
                Remedy::UnsupportedPsaType,
            )
        }
        Err(e) => explain(step, &e),
    }
}

async fn ticket_step(
    client: &NcentralClient,
    discovery: &Discovery,
    access: &NcentralAccess,
    id: &str,
    explain: &impl Fn(Step, &NcentralError) -> StepResult,
) -> StepResult {
    let step = Step::NcentralTicket;
    match client
        .ticket(discovery, id, &access.username, &access.password)
        .await
    {
        Ok(t) => StepResult::passed(step, ticket_text(&t)).with(Some(Details::Ticket(t))),
        Err(NcentralError::NotFound(_)) => StepResult::failed(
            step,
            format!("N-central has no custom PSA ticket '{id}' (404)."),
            Remedy::CheckTicketId,
        ),
        Err(e) => explain(step, &e),
    }
}

/// The ticket in a few lines: title, status, creation date, details.
fn ticket_text(t: &CustomPsaTicket) -> String {
    let created = match &t.created {
        Some(z) => z.strftime("%Y-%m-%d %H:%M:%S %Z").to_string(),
        None if t.creation_date.is_empty() => "an unknown date".into(),
        None => t.creation_date.clone(),
    };
    let mut text = format!(
        "N-central found custom PSA ticket {}: \"{}\", status {}, created {created}.",
        t.id, t.title, t.status
    );
    if !t.details.trim().is_empty() {
        text.push_str(&format!(" Details: {}", t.details.trim()));
    }
    text
}

/// A message and a remedy for each way an N-central call fails.
pub(super) fn explain(step: Step, e: &NcentralError, url: &str, now: Timestamp) -> StepResult {
    let failed = |message: String, remedy: Remedy| StepResult::failed(step, message, remedy);
    match e {
        NcentralError::BadRequest { field: Some(f), .. } if f == "username" || f == "password" => {
            failed(
                format!("{e}: the PSA {f} was refused."),
                Remedy::EnterNcentralLogin,
            )
        }
        NcentralError::BadRequest { .. } => failed(format!("{e}."), Remedy::CheckNcentralLogin),
        NcentralError::Unauthorized => failed(
            format!(
                "N-central at {url} refused the User-API token (401): it is wrong, expired or \
                 revoked."
            ),
            Remedy::NewNcentralToken,
        ),
        NcentralError::Forbidden(_) => failed(
            "N-central refused the integration key (403): it is wrong or was replaced.".into(),
            Remedy::EnterNcentralIntegrationKey,
        ),
        NcentralError::NotFound(reason) => failed(
            format!(
                "N-central at {url} has no such endpoint (404 {reason}): the address may not be \
                 N-central's."
            ),
            Remedy::CheckNcentralUrl,
        ),
        NcentralError::RateLimited(after) => {
            let (wait, details) = retry_after(*after, now);
            failed(
                format!("N-central is rate limiting requests (429); {wait}."),
                Remedy::WaitThenRetry(Service::Ncentral),
            )
            .with(details)
        }
        NcentralError::Server(status) => failed(
            format!("N-central at {url} failed ({status})."),
            Remedy::CheckNcentralServer,
        ),
        NcentralError::Network(cause) => failed(
            format!("N-central at {url} could not be reached: {cause}."),
            Remedy::CheckNetwork(Service::Ncentral),
        ),
        NcentralError::Tls(cause) => failed(
            format!("The secure (TLS) connection to N-central at {url} failed: {cause}."),
            Remedy::CheckTls(Service::Ncentral),
        ),
        NcentralError::Redirected { .. } | NcentralError::ForeignLink { .. } => {
            failed(format!("{e}."), Remedy::UseFinalAddress(Service::Ncentral))
        }
        NcentralError::Malformed(_) | NcentralError::MissingLink(_) => failed(
            format!("{e}; {url} may not be N-central's API, or its version lacks PSA integration."),
            Remedy::CheckNcentralUrl,
        ),
        NcentralError::Invalid(reason) => failed(format!("{reason}."), Remedy::CheckSettings),
    }
}
