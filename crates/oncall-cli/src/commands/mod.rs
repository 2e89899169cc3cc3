//! One function per subcommand: parse, call the core, print.

mod actions;
mod incident;
mod tenant;

use std::sync::Arc;

use anyhow::{Context, Result};
use oncall_core::{Desk, SystemClock, paths};

use crate::{
    cli::{Cli, Command},
    output::Out,
};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let out = Out::new(cli.json);
    let mut desk = open_desk(&cli)?;
    match cli.command {
        Command::Tenant(cmd) => tenant::run(&mut desk, &out, cmd),
        Command::Incident(cmd) => incident::run(&mut desk, &out, cmd),
        Command::Ack { id, tech } => actions::ack(&mut desk, &out, id, &tech),
        Command::Note { id, author, text } => actions::note(&mut desk, &out, id, &author, &text),
        Command::Resolve { id, tech, summary } => {
            actions::resolve(&mut desk, &out, id, &tech, summary.as_deref())
        }
        Command::Link { id, psa_ticket_id } => actions::link(&mut desk, &out, id, &psa_ticket_id),
    }
}

fn open_desk(cli: &Cli) -> Result<Desk> {
    let path = match &cli.db {
        Some(p) => p.clone(),
        None => paths::default_db_path()
            .context("cannot find a home directory for the database; pass --db PATH")?,
    };
    let desk = Desk::open(&path, Arc::new(SystemClock))?;
    Ok(desk.with_psa_configured(psa_configured()))
}

/// Whether both PSA settings of the seed are present.
fn psa_configured() -> bool {
    ["PSA_API_URL", "PSA_SERVICE_KEY"]
        .iter()
        .all(|v| std::env::var(v).is_ok_and(|s| !s.trim().is_empty()))
}
