//! The credential wizard for a front end: each step's result as soon as it is known, its
//! remedy worded by the front end.

use super::Live;
use crate::{
    DeskError,
    problem::Remedy,
    view::{StepState, WizardStepView},
    wizard::{self, Input, Status, Step, StepResult},
};

impl Live {
    /// Checks the PSA and N-central credentials step by step, telling `on_step` of each step as
    /// it starts and as it ends; `words` words a failed step's remedy for the front end's user.
    pub async fn run_wizard(
        &self,
        ticket: Option<String>,
        words: impl Fn(&Remedy) -> String,
        mut on_step: impl FnMut(&WizardStepView),
    ) -> Result<Vec<WizardStepView>, DeskError> {
        let tenants = self
            .read(|d| d.tenants())?
            .into_iter()
            .map(|t| t.id)
            .collect();
        let mut steps = vec![
            Step::OnePsa,
            Step::Tenants,
            Step::NcentralLogin,
            Step::NcentralDiscovery,
            Step::NcentralPsaCredentials,
        ];
        if ticket.is_some() {
            steps.push(Step::NcentralTicket);
        }
        for step in &steps {
            on_step(&running(*step));
        }
        let input = Input::gather(self.config(), tenants, ticket).await;
        let view = |r: &StepResult| view(r, &words);
        let results = wizard::run_with(input, self.clock.as_ref(), |r| on_step(&view(r))).await;
        Ok(results.iter().map(view).collect())
    }
}

fn title(step: Step) -> &'static str {
    match step {
        Step::OnePsa => "The One PSA answers and accepts the service key",
        Step::Tenants => "The PSA knows every tenant",
        Step::NcentralLogin => "N-central accepts the User-API token",
        Step::NcentralDiscovery => "N-central offers the PSA integration",
        Step::NcentralPsaCredentials => "N-central validates the PSA login",
        Step::NcentralTicket => "N-central finds the ticket",
    }
}

fn running(step: Step) -> WizardStepView {
    WizardStepView {
        step: step.name().to_owned(),
        title: title(step).to_owned(),
        status: StepState::Running,
        message: "Checking…".to_owned(),
        fix: None,
    }
}

fn view(r: &StepResult, words: impl Fn(&Remedy) -> String) -> WizardStepView {
    WizardStepView {
        step: r.step().name().to_owned(),
        title: title(r.step()).to_owned(),
        status: match r.status() {
            Status::Passed => StepState::Passed,
            Status::Failed => StepState::Failed,
            Status::Skipped => StepState::Skipped,
        },
        message: r.message().to_owned(),
        fix: r.remedy().map(words),
    }
}
