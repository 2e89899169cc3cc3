//! One function per subcommand: parse, call the core, print.

mod actions;
mod config;
mod demo;
mod incident;
mod login;
mod psa;
mod status;
mod stdin;
mod tenant;
mod time;
mod wizard;

use std::sync::Arc;

use anyhow::{Context, Result};
use oncall_core::{Desk, SystemClock, paths, settings::SettingKey};

use crate::{
    cli::{Cli, Command, PsaCommand},
    output::Out,
};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let out = Out::new(cli.json);
    match cli.command {
        Command::Psa(PsaCommand::Check) => return psa::check(&out),
        Command::Demo { keep } => return demo::run(keep),
        Command::Config(ref cmd) => return config::run(&out, cmd),
        Command::Login(what) => return login::login(&out, what),
        Command::Logout(what) => return login::logout(&out, what),
        _ => {}
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
        Command::Ack { id, tech } => act.ack(id, &technician(tech)?),
        Command::Note { id, author, text } => {
            let author = config::or_default(author, SettingKey::Technician, "--author")?;
            act.note(id, &author, &text)
        }
        Command::Resolve {
            id,
            tech,
            summary,
            bill_minutes,
        } => act.resolve(id, &technician(tech)?, summary.as_deref(), bill_minutes),
        Command::Link { id, psa_ticket_id } => act.link(id, &psa_ticket_id),
        Command::Timer(cmd) => time::timer(&mut act, cmd),
        Command::Time(cmd) => time::time(&mut act, cmd),
        Command::Status => status::run(act.desk, &out),
        Command::Sync(args) => psa::sync(act.desk.db_path(), &out, &args),
        Command::Wizard { ticket } => wizard::run(act.desk, &out, ticket),
        Command::Psa(PsaCommand::Check)
        | Command::Demo { .. }
        | Command::Config(_)
        | Command::Login(_)
        | Command::Logout(_) => unreachable!("handled above"),
    }
}

/// The technician named with `--tech`, else the `technician` setting.
pub(super) fn technician(given: Option<String>) -> Result<String> {
    config::or_default(given, SettingKey::Technician, "--tech")
}

fn open_desk(cli: &Cli) -> Result<Desk> {
    let path = match &cli.db {
        Some(p) => p.clone(),
        None => paths::default_db_path()
            .context("cannot find a home directory for the database; pass --db PATH")?,
    };
    let policy = config::load()?.time_policy();
    let desk = Desk::open(&path, Arc::new(SystemClock))?;
    Ok(desk
        .with_psa_configured(psa::configured())
        .with_time_policy(policy))
}
