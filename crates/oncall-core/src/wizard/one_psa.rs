//! Steps one_psa and tenants: The One PSA's health check with the service key, and the local
//! tenants against the tenants the key may use (psa-contract.md §1.6: a ticket under the wrong client).

use jiff::Timestamp;

use super::{Blocker, Details, Step, StepResult, retry_after};
use crate::{
    domain::TenantId,
    problem::{Remedy, Service},
    psa::{Health, OnePsaClient, PsaConfig, PsaError},
};

/// Step one_psa; returns the health answer for the tenants step when the step passed.
pub(super) async fn health(
    psa: &Result<PsaConfig, Blocker>,
    now: Timestamp,
) -> (StepResult, Option<Health>) {
    let config = match psa {
        Ok(c) => c.clone(),
        Err(b) => return (StepResult::blocked(Step::OnePsa, b), None),
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
                Remedy::CheckPsaStatus,
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
            Remedy::AskPsaAdminForTenants,
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
            Remedy::CheckTenantIds { psa: psa.clone() },
        )
    } else if local.is_empty() {
        StepResult::passed(
            Step::Tenants,
            format!(
                "No local tenants yet; add them using the PSA's tenant ids{}.",
                list(psa)
            ),
        )
    } else {
        StepResult::passed(
            Step::Tenants,
            format!(
                "All {} local tenant(s) are known to the PSA{}.",
                local.len(),
                list(
                    &local
                        .iter()
                        .map(|t| t.as_str().to_owned())
                        .collect::<Vec<_>>()
                )
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

pub(super) fn explain(e: &PsaError, url: &str, now: Timestamp) -> StepResult {
    let failed =
        |message: String, remedy: Remedy| StepResult::failed(Step::OnePsa, message, remedy);
    match e {
        PsaError::Unauthorized => failed(
            format!(
                "The One PSA at {url} refused the service key (401): it is wrong, revoked or for \
                 another PSA."
            ),
            Remedy::EnterPsaKey,
        ),
        PsaError::Forbidden(reason) => failed(
            format!(
                "The One PSA at {url} accepted the connection but refused access (403 {reason})."
            ),
            Remedy::AskPsaAdminForApiAccess,
        ),
        PsaError::NotFound(_) => failed(
            format!(
                "There is no One PSA health check at {url} (404): the address is probably not The \
                 One PSA's API."
            ),
            Remedy::CheckPsaUrl,
        ),
        PsaError::RateLimited(after) => {
            let (wait, details) = retry_after(*after, now);
            failed(
                format!("The One PSA is rate limiting this service key (429); {wait}."),
                Remedy::WaitThenRetry(Service::OnePsa),
            )
            .with(details)
        }
        PsaError::Tls(cause) => failed(
            format!("The secure (TLS) connection to The One PSA at {url} failed: {cause}."),
            Remedy::CheckTls(Service::OnePsa),
        ),
        PsaError::Transient(cause) | PsaError::Unreachable(cause) => failed(
            format!("The One PSA at {url} could not be reached or failed: {cause}."),
            Remedy::CheckNetwork(Service::OnePsa),
        ),
        PsaError::Redirected { .. } => {
            failed(format!("{e}."), Remedy::UseFinalAddress(Service::OnePsa))
        }
        PsaError::Invalid { .. }
        | PsaError::Conflict(_)
        | PsaError::Rejected { .. }
        | PsaError::Malformed(_)
        | PsaError::Incomplete(_) => failed(
            format!("The answer from {url} is not what The One PSA's API sends ({e})."),
            Remedy::CheckPsaUrl,
        ),
    }
}
