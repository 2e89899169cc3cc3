//! `oncall wizard`: runs the credential checks and prints each step's result.

use anyhow::{Result, bail};
use oncall_core::{
    Desk, SystemClock,
    wizard::{self, Details, Input, Status, StepResult},
};
use serde::Serialize;

use super::{config, psa};
use crate::{fixes, output::Out};

/// One step as `--json` prints it.
#[derive(Serialize)]
struct StepView<'a> {
    step: &'static str,
    ok: bool,
    status: Status,
    message: &'a str,
    fix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a Details>,
}

pub fn run(desk: &mut Desk, out: &Out, ticket: Option<String>) -> Result<()> {
    let config = config::load()?;
    let tenants = desk.tenants()?.into_iter().map(|t| t.id).collect();
    let results = psa::runtime()?.block_on(async {
        let input = Input::gather(config, tenants, ticket).await;
        wizard::run(input, &SystemClock).await
    });
    let view: Vec<StepView> = results
        .iter()
        .map(|r| StepView {
            step: r.step().name(),
            ok: r.ok(),
            status: r.status(),
            message: r.message(),
            fix: r.remedy().map(fixes::words),
            details: r.details(),
        })
        .collect();
    out.print(&view, || text(&results))?;
    let failed = results.iter().filter(|r| !r.ok()).count();
    if failed > 0 {
        bail!("{failed} of {} checks did not pass", results.len());
    }
    Ok(())
}

fn text(results: &[StepResult]) -> String {
    let mut lines = Vec::new();
    for r in results {
        let mark = match r.status() {
            Status::Passed => "PASS",
            Status::Failed => "FAIL",
            Status::Skipped => "SKIP",
        };
        // Continuation lines (a ticket's details) line up under the message.
        let message = r.message().replace('\n', "\n       ");
        lines.push(format!("[{mark}] {}: {message}", r.step().name()));
        if let Some(remedy) = r.remedy() {
            lines.push(format!("       fix: {}", fixes::words(remedy)));
        }
    }
    lines.join("\n")
}
