//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, builder::RangedU64ValueParser};

/// oncall-desk: acknowledge, note and resolve incidents; the PSA stays in sync.
#[derive(Debug, Parser)]
#[command(name = "oncall", version, about, propagate_version = true)]
pub struct Cli {
    /// The database file (default: the per-user data directory).
    #[arg(long, env = "ONCALL_DB", global = true)]
    pub db: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Only save locally: leave PSA writes queued for `oncall sync` instead of sending them now.
    #[arg(long, global = true)]
    pub no_sync: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// See oncall-desk at work: a scripted on-call shift against the built-in PSA simulator.
    Demo {
        /// Keep the simulator running afterwards, to try commands against it (Ctrl-C stops it).
        #[arg(long)]
        keep: bool,
    },
    /// Manage tenants (client organisations).
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Raise, list and show incidents.
    #[command(subcommand)]
    Incident(IncidentCommand),
    /// Acknowledge an incident (creates its PSA ticket when a PSA is configured).
    Ack {
        /// The incident id.
        id: i64,
        /// The acknowledging technician (default: the `technician` setting).
        #[arg(long)]
        tech: Option<String>,
    },
    /// Add a note to an incident (synced to the PSA ticket if written after acknowledgement).
    Note {
        /// The incident id.
        id: i64,
        /// Who wrote it (default: the `technician` setting).
        #[arg(long)]
        author: Option<String>,
        /// The note's text, or `-` to read it from standard input.
        text: String,
    },
    /// Resolve an incident (the PSA ticket becomes Completed).
    Resolve {
        /// The incident id.
        id: i64,
        /// The resolving technician (default: the `technician` setting).
        #[arg(long)]
        tech: Option<String>,
        /// The resolution summary sent to the PSA.
        #[arg(long)]
        summary: Option<String>,
        /// The minutes your timer logs, set by hand (0 logs nothing: a false alarm).
        #[arg(long, value_name = "N")]
        bill_minutes: Option<i64>,
    },
    /// Work timers: start, pause, stop, status.
    #[command(subcommand)]
    Timer(TimerCommand),
    /// Time entries: add by hand, list, correct, delete, confirm.
    #[command(subcommand)]
    Time(TimeCommand),
    /// What needs attention: the PSA, writes waiting or refused, running timers.
    Status,
    /// Deliver queued PSA writes (once, or continuously with --watch).
    Sync(SyncArgs),
    /// Check the PSA connection.
    #[command(subcommand)]
    Psa(PsaCommand),
    /// Link an existing PSA ticket to an incident by hand (earlier notes are not sent).
    Link {
        /// The incident id.
        id: i64,
        /// The PSA ticket id.
        psa_ticket_id: String,
    },
    /// Show or change settings (the profile is `default`, or ONCALL_PROFILE).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Store a credential in the OS keychain, read from a hidden prompt or standard input.
    #[command(subcommand)]
    Login(Credential),
    /// Remove a credential from the OS keychain.
    #[command(subcommand)]
    Logout(Credential),
    /// Check The One PSA and N-central credentials step by step, with a fix for each failure.
    Wizard {
        /// Also look this custom PSA ticket up through N-central.
        #[arg(long)]
        ticket: Option<String>,
    },
}

/// `oncall tenant ...`
#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Add a tenant.
    Add {
        /// The tenant id, as the PSA knows it.
        tenant_id: String,
        /// The organisation id the PSA maps to the company.
        #[arg(long)]
        org_id: String,
        /// The client company's name.
        #[arg(long)]
        name: String,
    },
    /// List the tenants.
    List,
}

/// `oncall incident ...`
#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Raise a new incident; prints its id.
    New(Box<NewIncidentArgs>),
    /// List incidents, newest first.
    List {
        /// Only incidents in this state (new, acknowledged, resolved).
        #[arg(long)]
        status: Option<String>,
        /// Only incidents of this tenant.
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Show one incident with its notes and PSA sync state.
    Show {
        /// The incident id.
        id: i64,
    },
}

/// The fields of a new incident.
#[derive(Debug, Args)]
pub struct NewIncidentArgs {
    /// The tenant it belongs to (default: the `tenant` setting).
    #[arg(long)]
    pub tenant: Option<String>,
    /// A one-line title.
    #[arg(long)]
    pub title: String,
    /// critical, high, medium or low.
    #[arg(long)]
    pub severity: String,
    /// Free text.
    #[arg(long, default_value = "")]
    pub description: String,
    /// Where the alert came from.
    #[arg(long)]
    pub source: Option<String>,
    /// The triggering product (RMM, Defend, ...).
    #[arg(long)]
    pub product: Option<String>,
    /// Defend: the device's name.
    #[arg(long)]
    pub device: Option<String>,
    /// Defend: the device's hostname.
    #[arg(long)]
    pub hostname: Option<String>,
    /// Defend: the MITRE technique id, e.g. T1059.001.
    #[arg(long)]
    pub mitre_id: Option<String>,
    /// Defend: the MITRE technique name.
    #[arg(long)]
    pub mitre_name: Option<String>,
    /// Defend: the recommended action.
    #[arg(long)]
    pub action: Option<String>,
}

/// `oncall sync`
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Keep running, delivering writes as they are queued, until stopped (Ctrl-C).
    #[arg(long)]
    pub watch: bool,
    /// First put writes the PSA refused back in the queue (after fixing the cause).
    #[arg(long)]
    pub retry: bool,
    /// Give up after this many seconds (1 to 86400), leaving the rest queued (default: 120;
    /// none with --watch).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: Option<u64>,
    /// How many incidents to deliver at once (1 to 64).
    #[arg(long, default_value_t = 8, value_parser = RangedU64ValueParser::<usize>::new().range(1..=64))]
    pub concurrency: usize,
    /// The first retry's wait in milliseconds (later ones double; at most an hour).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(..=3_600_000))]
    pub backoff_ms: u64,
    /// The longest wait between retries of one write, in milliseconds (at most a day).
    #[arg(long, default_value_t = 300_000, value_parser = clap::value_parser!(u64).range(..=86_400_000))]
    pub max_backoff_ms: u64,
}

/// `oncall psa ...`
#[derive(Debug, Subcommand)]
pub enum PsaCommand {
    /// Call the PSA's health endpoint and explain the answer.
    Check,
}

/// `oncall timer ...`
#[derive(Debug, Subcommand)]
pub enum TimerCommand {
    /// Start (or resume) your timer on an incident; your timer elsewhere is paused.
    Start(TimerArgs),
    /// Pause your timer on an incident.
    Pause(TimerArgs),
    /// Stop your timer: the time worked becomes a time entry on the PSA ticket.
    Stop(TimerArgs),
    /// Show every timer and what it adds up to.
    Status,
}

/// An incident and a technician.
#[derive(Debug, Args)]
pub struct TimerArgs {
    /// The incident id.
    pub id: i64,
    /// The technician (default: the `technician` setting).
    #[arg(long)]
    pub tech: Option<String>,
}

/// `oncall time ...`
#[derive(Debug, Subcommand)]
pub enum TimeCommand {
    /// Add time worked by hand.
    Add {
        /// The incident id.
        id: i64,
        /// The technician (default: the `technician` setting).
        #[arg(long)]
        tech: Option<String>,
        /// Minutes worked (1 to 1440).
        #[arg(long, allow_negative_numbers = true)]
        minutes: i64,
        /// When the work started (RFC 3339, e.g. 2026-11-25T09:30:00Z; default: MINUTES ago).
        #[arg(long)]
        start: Option<String>,
        /// The work type (default: Remote Support).
        #[arg(long)]
        work_type: Option<String>,
        /// Billable (the default).
        #[arg(long, overrides_with = "no_billable")]
        billable: bool,
        /// Not billable.
        #[arg(long)]
        no_billable: bool,
        /// What was done (default: the incident's title).
        #[arg(long)]
        note: Option<String>,
    },
    /// List an incident's time entries.
    List {
        /// The incident id.
        id: i64,
    },
    /// Correct a time entry the PSA does not have yet.
    Edit {
        /// The time entry id.
        entry: i64,
        /// Minutes worked.
        #[arg(long, allow_negative_numbers = true)]
        minutes: Option<i64>,
        /// When the work started (RFC 3339).
        #[arg(long)]
        start: Option<String>,
        /// The work type.
        #[arg(long)]
        work_type: Option<String>,
        /// Billable or not (`true` / `false`).
        #[arg(long)]
        billable: Option<bool>,
        /// What was done.
        #[arg(long)]
        note: Option<String>,
    },
    /// Delete a time entry the PSA does not have yet.
    Delete {
        /// The time entry id.
        entry: i64,
    },
    /// Confirm an entry held because its timer ran past the limit.
    Confirm {
        /// The time entry id.
        entry: i64,
        /// Correct the minutes while confirming.
        #[arg(long)]
        minutes: Option<i64>,
    },
}

/// `oncall config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show every setting and secret and where it comes from (secrets only as set or unset).
    Show,
    /// Set a setting: psa.url, ncentral.url, ncentral.psa_type, technician or tenant.
    Set {
        /// The setting's name.
        key: String,
        /// Its value.
        value: String,
    },
    /// Remove a setting from the settings file.
    Unset {
        /// The setting's name.
        key: String,
    },
}

/// A credential kept in the OS keychain.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum Credential {
    /// The One PSA service key (what PSA_SERVICE_KEY holds).
    Psa,
    /// The N-central login: User-API token, integration key, PSA username and password
    /// (as a JSON object on standard input when it is not a terminal).
    Ncentral,
}
