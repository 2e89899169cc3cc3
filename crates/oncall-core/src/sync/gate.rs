use std::sync::Mutex;

use tokio::time::{Duration, Instant};

/// Slows the whole engine down when the PSA rate-limits: every lane waits at the gate until the
/// PSA's `Retry-After` has passed, instead of each lane hammering on its own.
#[derive(Debug, Default)]
pub(super) struct RateGate {
    closed_until: Mutex<Option<Instant>>,
}

impl RateGate {
    /// Closes the gate for `wait` (keeping a later reopening if one is set).
    pub fn close_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut closed = self.closed_until.lock().unwrap_or_else(|e| e.into_inner());
        *closed = Some(closed.map_or(until, |c| c.max(until)));
    }

    /// Waits until the gate is open.
    pub async fn pass(&self) {
        loop {
            let until = *self.closed_until.lock().unwrap_or_else(|e| e.into_inner());
            match until {
                Some(t) if t > Instant::now() => tokio::time::sleep_until(t).await,
                _ => return,
            }
        }
    }
}
