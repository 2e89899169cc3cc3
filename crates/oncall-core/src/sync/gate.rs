use std::sync::Mutex;

use tokio::time::{Duration, Instant};

/// Slows the whole engine down when the PSA rate-limits: every lane waits at the gate until the
/// PSA's `Retry-After` has passed, instead of each lane hammering on its own.
#[derive(Debug, Default)]
pub(super) struct RateGate {
    closed_until: Mutex<Option<Instant>>,
}

impl RateGate {
    /// Closes the gate for `wait` (keeping a later reopening if one is set). A wait beyond
    /// what the clock can hold closes it as long as it can, never panics.
    pub fn close_for(&self, wait: Duration) {
        let now = Instant::now();
        let until = now
            .checked_add(wait)
            .unwrap_or_else(|| now + Duration::from_secs(60 * 60));
        let mut closed = self.closed_until.lock().unwrap_or_else(|e| e.into_inner());
        *closed = Some(closed.map_or(until, |c| c.max(until)));
    }

    /// Waits until the gate is open; false, at once, when it will not open before `deadline`
    /// (the caller's time is up first, and waiting would overrun it).
    pub async fn pass(&self, deadline: Option<Instant>) -> bool {
        loop {
            let until = *self.closed_until.lock().unwrap_or_else(|e| e.into_inner());
            match until {
                Some(t) if t > Instant::now() => {
                    if deadline.is_some_and(|d| t >= d) {
                        return false;
                    }
                    tokio::time::sleep_until(t).await;
                }
                _ => return true,
            }
        }
    }
}
