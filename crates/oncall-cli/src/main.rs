//! `oncall`: every oncall-desk action from the command line, with `--json` on every command.

mod cli;
mod commands;
mod fixes;
mod output;

use std::{io::Write, process::ExitCode};

use clap::Parser;

use crate::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the whole chain of context on one line.
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            if let Some(fix) = fixes::for_error(&e) {
                let _ = writeln!(std::io::stderr(), "fix: {fix}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr, filtered by `ONCALL_LOG` (e.g. `ONCALL_LOG=psa-ticket-creation=debug`).
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ONCALL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
