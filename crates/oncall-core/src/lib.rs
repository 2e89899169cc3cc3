//! oncall-desk's core: the incident domain, the SQLite store with its outbox, the service that
//! every front end (the `oncall` CLI, the desktop app) calls for each user action, and the
//! settings, keychain and credential wizard behind them.

pub mod clock;
pub mod domain;
pub mod live;
pub mod paths;
pub mod problem;
pub mod psa;
pub mod sample;
pub mod secrets;
pub mod service;
pub mod settings;
pub mod store;
pub mod sync;
pub mod view;
pub mod wizard;

pub use clock::{Clock, SystemClock};
pub use service::{Desk, DeskError};
