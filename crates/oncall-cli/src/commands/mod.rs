//! One function per subcommand: parse, call the core, print.

mod actions;
mod incident;
mod psa;
mod tenant;
mod time;

use std::sync::Arc;

use anyhow::{Context, Result};
use oncall_core::{Desk, SystemClock, paths};

use crate::{
    cli::{Cli, Command, PsaCommand},
    output::Out,
};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let out = Out::new(cli.json);
    if let Command::Psa(PsaCommand::Check) = cli.command {
        return psa::check(&out);
    }
    let mut desk = open_desk(&cli)?;
    let mut act = actions::Actions {
        desk: &mut desk,
        out: &out,
        sync: !cli.no_sync,
    };
    match cli.command {
        Command::Tenant(cmd) => tenant::run(act.desk, &out, cmd),
        Command::Incident(cmd) => incident::run(act.desk, &out, cmd),
        Command::Ack { id, tech } => act.ack(id, &tech),
        Command::Note { id, author, text } => act.note(id, &author, &text),
        Command::Resolve { id, tech, summary } => act.resolve(id, &tech, summary.as_deref()),
        Command::Link { id, psa_ticket_id } => act.link(id, &psa_ticket_id),
        Command::Timer(cmd) => time::timer(&mut act, cmd),
        Command::Time(cmd) => time::time(&mut act, cmd),
        Command::Sync(args) => psa::sync(act.desk.db_path(), &out, &args),
        Command::Psa(PsaCommand::Check) => unreachable!("handled above"),
    }
}

fn open_desk(cli: &Cli) -> Result<Desk> {
    let path = match &cli.db {
        Some(p) => p.clone(),
        None => paths::default_db_path()
            .context("cannot find a home directory for the database; pass --db PATH")?,
    };
    let desk = Desk::open(&path, Arc::new(SystemClock))?;
    Ok(desk.with_psa_configured(psa::env_settings().is_some()))
}
