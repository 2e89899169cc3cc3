//! Steps one_psa and tenants: The One PSA's health check with the service key, and the local
//! tenants against the tenants the key may use (psa-contract.md §1.6: a ticket under the wrong client).

use jiff::Timestamp;

use super::{Details, Problem, Step, StepResult, retry_after};
use crate::{
    domain::TenantId,
    psa::{Health, OnePsaClient, PsaConfig, PsaError},
};

/// Step one_psa; returns the health answer for the tenants step when the step passed.
pub(super) async fn health(
    psa: &Result<PsaConfig, Problem>,
    now: Timestamp,
) -> (StepResult, Option<Health>) {
    let config = match psa {
        Ok(c) => c.clone(),
        Err(p) => return (StepResult::problem(Step::OnePsa, p), None),
    };
    let url = config.url.to_string();
    let answer = match OnePsaClient::new(config) {
        Ok(client) => client.health().await,
        Err(e) => Err(e),
    };
    match answer {
        Ok(h) if h.status == "ok" => {
            let message = format!(
                "The One PSA at {url} accepts the service key; the key may use {} tenant(s){}.",
                h.tenants.len(),
                list(&h.tenants)
            );
            (StepResult::passed(Step::OnePsa, message), Some(h))
        }
        Ok(h) => (
            StepResult::failed(
                Step::OnePsa,
                format!(
                    "The One PSA at {url} accepts the service key but reports status '{}'.",
                    h.status
                ),
                "The PSA is degraded: try again later, or check its status page.".into(),
            ),
            None,
        ),
        Err(e) => (explain(&e, &url, now), None),
    }
}

/// Step tenants.
pub(super) fn tenants(health: Option<&Health>, local: &[TenantId]) -> StepResult {
    let Some(health) = health else {
        return StepResult::skipped(Step::Tenants, Step::OnePsa);
    };
    let psa = &health.tenants;
    let unknown: Vec<String> = local
        .iter()
        .map(|t| t.as_str().to_owned())
        .filter(|t| !psa.contains(t))
        .collect();
    let details = Some(Details::Tenants {
        psa: psa.clone(),
        unknown: unknown.clone(),
    });
    let result = if psa.is_empty() {
        StepResult::failed(
            Step::Tenants,
            "The PSA lets this service key use no tenant at all: every ticket would be refused."
                .into(),
            "Ask your PSA administrator to give the service key access to your client tenants."
                .into(),
        )
    } else if !unknown.is_empty() {
        StepResult::failed(
            Step::Tenants,
            format!(
                "The PSA does not know {} local tenant(s): {}. Tickets for their incidents would \
                 be refused (403) and never reach the PSA.",
                unknown.len(),
                unknown.join(", ")
            ),
            format!(
                "Check the ids with `oncall tenant list`: each must be one of the tenant ids the \
                 PSA gives this key ({}). If an id is right, ask your PSA administrator to give \
                 the key access to that client.",
                psa.join(", ")
            ),
        )
    } else if local.is_empty() {
        StepResult::passed(
            Step::Tenants,
            format!(
                "No local tenants yet; add them with `oncall tenant add` using the PSA's ids{}.",
                list(psa)
            ),
        )
    } else {
        StepResult::passed(
            Step::Tenants,
            format!(
                "All {} local tenant(s) are known to the PSA{}.",
                local.len(),
                list(psa)
            ),
        )
    };
    result.with(details)
}

/// ": a, b" or nothing.
fn list(items: &[String]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!(": {}", items.join(", "))
    }
}

fn explain(e: &PsaError, url: &str, now: Timestamp) -> StepResult {
    let check_url = "Check psa.url: it is the API's base address, e.g. \
                     https://api.theonepsa.com (`oncall config set psa.url URL`)."
        .to_owned();
    let failed = |message: String, fix: String| StepResult::failed(Step::OnePsa, message, fix);
    match e {
        PsaError::Unauthorized => failed(
            format!(
                "The One PSA at {url} refused the service key (401): it is wrong, revoked or for \
                 another PSA."
            ),
            "Copy the service key again from The One PSA and run `oncall login psa` (or set \
             PSA_SERVICE_KEY)."
                .into(),
        ),
        PsaError::Forbidden(reason) => failed(
            format!(
                "The One PSA at {url} accepted the connection but refused access (403 {reason})."
            ),
            "Ask your PSA administrator to give the service key access to the integration API."
                .into(),
        ),
        PsaError::NotFound(_) => failed(
            format!(
                "There is no One PSA health check at {url} (404): the address is probably not The \
                 One PSA's API."
            ),
            check_url,
        ),
        PsaError::RateLimited(after) => {
            let (wait, details) = retry_after(*after, now);
            failed(
                format!("The One PSA is rate limiting this service key (429); {wait}."),
                "Run `oncall wizard` again after that. Your MSP's other integrations share this \
                 limit, so retrying sooner only makes it worse."
                    .into(),
            )
            .with(details)
        }
        PsaError::Tls(cause) => failed(
            format!("The secure (TLS) connection to The One PSA at {url} failed: {cause}."),
            "Check the host name and https:// in psa.url. An HTTPS-inspecting proxy or \
             antivirus, or a wrong system clock, also breaks TLS."
                .into(),
        ),
        PsaError::Transient(cause) => failed(
            format!("The One PSA at {url} could not be reached or failed: {cause}."),
            "Check psa.url, your network or VPN connection, and the PSA's status page; then run \
             `oncall wizard` again."
                .into(),
        ),
        PsaError::Redirected { .. } => failed(
            format!("{e}."),
            "Use the API's final address in psa.url (e.g. https:// instead of http://, or its \
             new host name); if it is right, ask your PSA administrator why it sends you \
             elsewhere."
                .into(),
        ),
        PsaError::Invalid { .. } | PsaError::Conflict(_) | PsaError::Malformed(_) => failed(
            format!("The answer from {url} is not what The One PSA's API sends ({e})."),
            check_url,
        ),
    }
}
