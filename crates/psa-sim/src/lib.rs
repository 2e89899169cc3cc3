//! `psa-sim`: a PSA simulator serving The One PSA API and the N-central PSA API from one process,
//! with `/_sim/` controls for inspection and fault injection (see docs/psa-contract.md).
//!
//! Tests of other crates run it in-process:
//!
//! ```no_run
//! # async fn demo() -> Result<(), psa_sim::Error> {
//! let sim = psa_sim::start(
//!     psa_sim::SimConfig::new("key").tenant("acme", "ACME Corp"),
//!     "127.0.0.1:0".parse().unwrap(),
//! )
//! .await?;
//! let base = sim.base_url(); // e.g. http://127.0.0.1:41234
//! # let _ = base;
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod app;
mod body;
mod config;
mod control;
mod faults;
mod model;
mod ncentral;
mod one_psa;
mod persist;
mod reply;
mod server;
mod state;

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{
    ConfigError, DEFAULT_NCENTRAL_INTEGRATION_KEY, DEFAULT_NCENTRAL_JWT, Faults, NcentralConfig,
    PsaCredential, PsaType, SimConfig, parse_tenant, parse_tenants_file,
};
pub use model::{Note, Resolution, SimTicket, Ticket, TicketStatus, TimeEntry};
pub use persist::StateError;

/// Why a simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The listen address is not loopback and non-loopback was not allowed.
    #[error("refusing to listen on non-loopback address {0} (allow it explicitly)")]
    NonLoopback(SocketAddr),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the OS reported.
        source: std::io::Error,
    },
    /// A setting is out of range.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The state file could not be opened or read.
    #[error(transparent)]
    State(#[from] StateError),
}

/// A simulator serving on a background task; dropping it stops the server too.
pub struct RunningSim {
    addr: SocketAddr,
    base_path: String,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl RunningSim {
    /// The base URL, e.g. `http://127.0.0.1:41234`, with the base path if one was set.
    pub fn base_url(&self) -> String {
        format!("http://{}{}", self.addr, self.base_path)
    }

    /// The address the simulator listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, closes open connections and waits for the server task to end.
    pub async fn shutdown(self) {
        // The server also stops when the sender is dropped, so a failed send needs no handling.
        let _ = self.shutdown.send(());
        if let Err(e) = self.task.await {
            tracing::warn!(error = %e, "simulator task ended abnormally");
        }
    }
}

/// Binds `listen` and serves the simulator on the current tokio runtime.
pub async fn start(config: SimConfig, listen: SocketAddr) -> Result<RunningSim, Error> {
    if !listen.ip().is_loopback() && !config.allow_non_loopback {
        return Err(Error::NonLoopback(listen));
    }
    config.faults.validate()?;
    config.validate_base_path()?;
    let base_path = config.base_path.clone();
    let store = state::Store::open(config.state.as_deref())?;
    let bind_error = |source| Error::Bind {
        addr: listen,
        source,
    };
    let listener = TcpListener::bind(listen).await.map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let router = app::router(app::App::new(config, store), &base_path);
    let (shutdown, shutdown_rx) = oneshot::channel();
    let task = tokio::spawn(server::serve(listener, router, shutdown_rx));
    Ok(RunningSim {
        addr,
        base_path,
        shutdown,
        task,
    })
}
