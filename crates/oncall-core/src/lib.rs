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

/// Locks a mutex, also after a panic elsewhere: nothing here holds an invariant across a lock
/// (each database write is one transaction, rolled back if unfinished).
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
