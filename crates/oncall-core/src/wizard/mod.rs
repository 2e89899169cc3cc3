//! The credential validation wizard's backend: checks The One PSA and N-central step by step,
//! each step a typed result with a plain-language message and, when it fails, the remedy, which
//! each front end words for its own user. The CLI prints the results; the desktop wizard shows
//! them.

mod input;
mod ncentral;
mod one_psa;

use std::time::Duration;

use jiff::{Timestamp, tz::TimeZone};
use serde::Serialize;

pub use input::{Blocker, Input, NcentralAccess};

use crate::{Clock, problem::Remedy, psa::CustomPsaTicket};

/// A step of the wizard, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The One PSA answers its health check and accepts the service key.
    OnePsa,
    /// Every local tenant is one the PSA lets the key use.
    Tenants,
    /// N-central accepts the User-API token.
    NcentralLogin,
    /// N-central offers the PSA integration links.
    NcentralDiscovery,
    /// N-central validates the standard PSA's credentials.
    NcentralPsaCredentials,
    /// N-central finds a custom-PSA ticket (only when one is asked for).
    NcentralTicket,
}

impl Step {
    /// The step's name in the CLI's output.
    pub fn name(self) -> &'static str {
        match self {
            Self::OnePsa => "one_psa",
            Self::Tenants => "tenants",
            Self::NcentralLogin => "ncentral_login",
            Self::NcentralDiscovery => "ncentral_discovery",
            Self::NcentralPsaCredentials => "ncentral_psa_credentials",
            Self::NcentralTicket => "ncentral_ticket",
        }
    }
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The check passed.
    Passed,
    /// The check failed; the result has a remedy.
    Failed,
    /// Not checked, because a step it needs failed.
    Skipped,
}

/// What a step found besides its message, for a UI to show.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Details {
    /// The tenants the PSA lets the key use, and the local ones it does not know.
    Tenants {
        /// The PSA's tenant ids for this key.
        psa: Vec<String>,
        /// Local tenant ids the PSA does not know.
        unknown: Vec<String>,
    },
    /// The server asked to wait before trying again.
    RetryAfter {
        /// How long, in seconds.
        seconds: u64,
        /// Until when.
        at: Timestamp,
    },
    /// The custom-PSA ticket found.
    Ticket(CustomPsaTicket),
}

/// One step's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepResult {
    step: Step,
    status: Status,
    message: String,
    remedy: Option<Remedy>,
    details: Option<Details>,
}

impl StepResult {
    fn passed(step: Step, message: String) -> Self {
        Self {
            step,
            status: Status::Passed,
            message,
            remedy: None,
            details: None,
        }
    }

    fn failed(step: Step, message: String, remedy: Remedy) -> Self {
        Self {
            step,
            status: Status::Failed,
            message,
            remedy: Some(remedy),
            details: None,
        }
    }

    fn skipped(step: Step, because: Step) -> Self {
        Self {
            step,
            status: Status::Skipped,
            message: format!(
                "Not checked: it needs step {}, which did not pass.",
                because.name()
            ),
            remedy: None,
            details: None,
        }
    }

    fn blocked(step: Step, blocker: &Blocker) -> Self {
        Self::failed(step, blocker.message.clone(), blocker.remedy.clone())
    }

    fn with(mut self, details: Option<Details>) -> Self {
        self.details = details;
        self
    }

    /// The step.
    pub fn step(&self) -> Step {
        self.step
    }

    /// How it ended.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Whether it passed.
    pub fn ok(&self) -> bool {
        self.status == Status::Passed
    }

    /// What was found, in a sentence or two.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What a person can do about a failure, for the front end to word.
    pub fn remedy(&self) -> Option<&Remedy> {
        self.remedy.as_ref()
    }

    /// What the step found, for a UI.
    pub fn details(&self) -> Option<&Details> {
        self.details.as_ref()
    }
}

/// Runs every step in order. A step whose prerequisite failed is skipped, not run.
pub async fn run(input: Input, clock: &dyn Clock) -> Vec<StepResult> {
    run_with(input, clock, |_| {}).await
}

/// [`run`], telling `on_result` of each result as soon as it is known (a UI shows the steps
/// as they finish).
pub async fn run_with(
    input: Input,
    clock: &dyn Clock,
    mut on_result: impl FnMut(&StepResult),
) -> Vec<StepResult> {
    let now = clock.now();
    let (psa, health) = one_psa::health(&input.psa, now).await;
    on_result(&psa);
    let tenants = one_psa::tenants(health.as_ref(), &input.local_tenants);
    on_result(&tenants);
    let mut results = vec![psa, tenants];
    let ncentral = ncentral::steps(&input.ncentral, input.ticket.as_deref(), now).await;
    ncentral.iter().for_each(&mut on_result);
    results.extend(ncentral);
    results
}

/// "it asks to wait 30 s, until 14:05:10", and the same as [`Details`].
fn retry_after(after: Option<Duration>, now: Timestamp) -> (String, Option<Details>) {
    let Some(wait) = after else {
        return ("it gave no time to wait; wait a minute".into(), None);
    };
    let seconds = wait.as_secs();
    let Ok(at) = now.checked_add(wait) else {
        return (format!("it asks to wait {seconds} s"), None);
    };
    let local = at
        .to_zoned(TimeZone::system())
        .strftime("%H:%M:%S")
        .to_string();
    (
        format!("it asks to wait {seconds} s, until {local}"),
        Some(Details::RetryAfter { seconds, at }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        domain::TenantId,
        problem::assert_neutral,
        psa::{self, Health},
    };

    /// Every failure the steps explain, with the tenants step's findings.
    fn results() -> Vec<StepResult> {
        let now = Timestamp::UNIX_EPOCH;
        let health = |tenants: &[&str]| Health {
            status: "ok".into(),
            tenants: tenants.iter().map(|t| (*t).to_owned()).collect(),
        };
        let local = [TenantId::parse("acme").expect("id")];
        let mut all: Vec<StepResult> =
            psa::every_psa_error()
                .iter()
                .map(|e| one_psa::explain(e, "https://psa.example.com/", now))
                .chain(psa::every_ncentral_error().iter().map(|e| {
                    ncentral::explain(Step::NcentralLogin, e, "https://nc.example.com/", now)
                }))
                .collect();
        all.push(one_psa::tenants(Some(&health(&[])), &local));
        all.push(one_psa::tenants(Some(&health(&["globex"])), &local));
        all.push(one_psa::tenants(Some(&health(&["acme"])), &[]));
        all.push(StepResult::skipped(Step::Tenants, Step::OnePsa));
        all
    }

    #[test]
    fn no_step_message_names_a_command_and_every_failure_has_a_remedy() {
        for r in results() {
            assert_neutral(r.message());
            assert_eq!(r.remedy().is_some(), r.status() == Status::Failed, "{r:?}");
        }
    }

    #[test]
    fn unknown_tenants_carry_the_psa_ids_for_the_front_end_to_word() {
        let local = [TenantId::parse("acme").expect("id")];
        let health = Health {
            status: "ok".into(),
            tenants: vec!["globex".into(), "initech".into()],
        };
        let r = one_psa::tenants(Some(&health), &local);
        assert_eq!(
            r.remedy(),
            Some(&Remedy::CheckTenantIds {
                psa: vec!["globex".into(), "initech".into()]
            })
        );
    }
}
