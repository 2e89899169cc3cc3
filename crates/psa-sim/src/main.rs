//! `psa-sim`: serves the simulated PSA APIs until killed; prints its base URL first.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use psa_sim::{Faults, NcentralConfig, PsaCredential, SimConfig};
use tracing_subscriber::EnvFilter;

/// A PSA simulator (The One PSA and N-central APIs) with fault injection.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// Address to listen on; must be loopback unless --allow-non-loopback.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Allow a listen address other than loopback.
    #[arg(long)]
    allow_non_loopback: bool,
    /// The X-Integration-Key every One PSA call must carry.
    #[arg(long)]
    key: String,
    /// A tenant the key may use, ID=COMPANY (repeatable).
    #[arg(long = "tenant", value_name = "ID=COMPANY", value_parser = psa_sim::parse_tenant)]
    tenants: Vec<(String, String)>,
    /// A file of tenants, one ID=COMPANY a line (`#` starts a comment); adds to --tenant.
    #[arg(long, value_name = "FILE")]
    tenants_file: Option<PathBuf>,
    /// Rate limit in requests per second (token bucket); unlimited when absent.
    #[arg(long, value_name = "RPS")]
    rate_limit: Option<f64>,
    /// Share of requests answered 500/503 before anything is applied.
    #[arg(long, value_name = "F", default_value_t = 0.0)]
    fail_rate: f64,
    /// Delay added to every request, in milliseconds.
    #[arg(long, value_name = "N", default_value_t = 0)]
    latency_ms: u64,
    /// Share of requests whose connection is closed without a response.
    #[arg(long, value_name = "F", default_value_t = 0.0)]
    drop_rate: f64,
    /// Share of requests applied, then whose connection is closed without a response.
    #[arg(long, value_name = "F", default_value_t = 0.0)]
    lose_response_rate: f64,
    /// Share of requests answered 200 with a body that is not JSON, before anything is applied.
    #[arg(long, value_name = "F", default_value_t = 0.0)]
    garble_rate: f64,
    /// SQLite file that keeps the state across restarts (in memory when absent).
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// The N-central User-API token (JWT) accepted as Bearer.
    #[arg(long, value_name = "JWT", default_value = psa_sim::DEFAULT_NCENTRAL_JWT)]
    ncentral_jwt: String,
    /// The N-central INTEGRATION-KEY every N-central POST must carry.
    #[arg(long, value_name = "KEY", default_value = psa_sim::DEFAULT_NCENTRAL_INTEGRATION_KEY)]
    ncentral_integration_key: String,
    /// Serve every route under this path, e.g. /psa (as behind a reverse proxy).
    #[arg(long, value_name = "PATH", default_value = "")]
    base_path: String,
    /// Standard-PSA credentials that validate, TYPE:USER:PASSWORD, TYPE 3 or tigerpaw (repeatable).
    #[arg(long = "psa-credential", value_name = "TYPE:USER:PASSWORD")]
    psa_credentials: Vec<PsaCredential>,
}

impl Cli {
    fn into_config(self) -> SimConfig {
        SimConfig {
            key: self.key,
            tenants: self.tenants,
            faults: Faults {
                rate_limit: self.rate_limit,
                fail_rate: self.fail_rate,
                latency_ms: self.latency_ms,
                drop_rate: self.drop_rate,
                lose_response_rate: self.lose_response_rate,
                garble_rate: self.garble_rate,
            },
            state: self.state,
            ncentral: NcentralConfig {
                jwt: self.ncentral_jwt,
                integration_key: self.ncentral_integration_key,
                psa_credentials: self.psa_credentials,
            },
            allow_non_loopback: self.allow_non_loopback,
            base_path: self.base_path,
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("psa_sim=info")),
        )
        .init();
    let mut cli = Cli::parse();
    if let Some(path) = cli.tenants_file.take() {
        let read = std::fs::read_to_string(&path).map_err(|e| e.to_string());
        match read.and_then(|text| psa_sim::parse_tenants_file(&text).map_err(|e| e.to_string())) {
            Ok(tenants) => cli.tenants.extend(tenants),
            Err(e) => {
                eprintln!("psa-sim: tenants file {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    let listen = cli.listen;
    let sim = match psa_sim::start(cli.into_config(), listen).await {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("psa-sim: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Tests read the first stdout line to learn the port, so it must go out before anything else.
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{}", sim.base_url())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        eprintln!("psa-sim: cannot write the base URL to stdout");
        return ExitCode::FAILURE;
    }
    drop(stdout);
    tracing::info!(url = %sim.base_url(), "serving");
    match tokio::signal::ctrl_c().await {
        Ok(()) => {
            sim.shutdown().await;
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("psa-sim: cannot wait for Ctrl-C: {e}");
            ExitCode::FAILURE
        }
    }
}
