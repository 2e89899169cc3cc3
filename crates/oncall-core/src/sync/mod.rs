//! The outbox engine: delivers queued PSA writes exactly once in effect, in order per incident,
//! incidents in parallel, backing off on failures and slowing down when the PSA says so.

mod backoff;
mod deliver;
mod engine;
mod gate;
mod marks;

pub use backoff::backoff;
pub use engine::{RefusedWrite, SyncEngine, SyncError, SyncOptions, SyncReport};
