use std::{collections::VecDeque, sync::Mutex};

use tokio::time::{Duration, Instant};

/// How far back the gate looks to learn a PSA's rate from a 429.
const WINDOW: Duration = Duration::from_secs(1);
/// A 429 sets the pace to this share of the rate that met it.
const DECREASE: f64 = 0.95;
/// While no 429 comes, the pace rises by this share of itself per second, so that a limit the
/// PSA raised is found again.
const INCREASE_PER_SEC: f64 = 0.005;
/// A 429 after fewer requests than this in the window teaches nothing (another client may
/// share the key): the gate closes for the `Retry-After` but does not pace.
const MIN_LEARNED_RATE: f64 = 2.0;

/// Slows the whole engine down when the PSA rate-limits: every lane waits at the gate until the
/// PSA's `Retry-After` has passed, instead of each lane hammering on its own; and from then on
/// the gate spaces requests at the rate the PSA was seen to accept, so that a long drain meets
/// a few 429s rather than some after every `Retry-After`.
#[derive(Debug, Default)]
pub(super) struct RateGate {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    closed_until: Option<Instant>,
    /// When the requests of the last [`WINDOW`] passed.
    passed: VecDeque<Instant>,
    /// The learned rate (requests per second) and when it was learned.
    pace: Option<(f64, Instant)>,
    /// The earliest moment the next request may pass while pacing.
    next_slot: Option<Instant>,
}

impl State {
    /// Requests per second allowed now, if pacing.
    fn rate(&self, now: Instant) -> Option<f64> {
        self.pace.map(|(rate, since)| {
            rate * (1.0 + INCREASE_PER_SEC * now.saturating_duration_since(since).as_secs_f64())
        })
    }

    fn forget_before(&mut self, now: Instant) {
        while self
            .passed
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) > WINDOW)
        {
            self.passed.pop_front();
        }
    }
}

impl RateGate {
    /// The PSA answered 429: closes the gate for `wait` (keeping a later reopening if one is
    /// set) and learns the rate it accepts. A wait beyond what the clock can hold closes it as
    /// long as it can, never panics.
    pub fn rate_limited(&self, wait: Duration) {
        let now = Instant::now();
        let until = now
            .checked_add(wait)
            .unwrap_or_else(|| now + Duration::from_secs(60 * 60));
        let mut state = self.lock();
        // Requests already out when the first 429 came back answer 429 too: one lesson each.
        let same_event = state.closed_until.is_some_and(|c| c > now);
        state.closed_until = Some(state.closed_until.map_or(until, |c| c.max(until)));
        if same_event {
            return;
        }
        state.forget_before(now);
        let seen = state.passed.len() as f64 / WINDOW.as_secs_f64();
        // What passed includes what was just refused, and a full bucket's burst: aim a little
        // below it, and lower again on each later 429.
        let learned = state.rate(now).unwrap_or(seen) * DECREASE;
        if learned >= MIN_LEARNED_RATE {
            state.pace = Some((learned, now));
        }
    }

    /// Waits until the gate lets a request pass: after any `Retry-After`, and at the learned
    /// pace; false, at once, when that will not be before `deadline` (the caller's time is up
    /// first, and waiting would overrun it).
    pub async fn pass(&self, deadline: Option<Instant>) -> bool {
        loop {
            let now = Instant::now();
            let (wait_until, reserved) = {
                let mut state = self.lock();
                match state.closed_until {
                    Some(t) if t > now => (t, false),
                    _ => {
                        let slot = match state.rate(now) {
                            None => now,
                            Some(rate) => {
                                let slot = state.next_slot.map_or(now, |s| s.max(now));
                                if deadline.is_some_and(|d| slot >= d) {
                                    return false;
                                }
                                state.next_slot = Some(slot + Duration::from_secs_f64(1.0 / rate));
                                slot
                            }
                        };
                        state.forget_before(now);
                        state.passed.push_back(slot);
                        if slot <= now {
                            return true;
                        }
                        (slot, true)
                    }
                }
            };
            if deadline.is_some_and(|d| wait_until >= d) {
                return false;
            }
            tokio::time::sleep_until(wait_until).await;
            // A request whose slot came passes, unless a 429 closed the gate meanwhile.
            if reserved && self.lock().closed_until.is_none_or(|t| t <= Instant::now()) {
                return true;
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        crate::lock(&self.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lets `n` requests through at once and reports a 429 with a 10 ms `Retry-After`.
    async fn burst_then_429(gate: &RateGate, n: usize) {
        for _ in 0..n {
            assert!(gate.pass(None).await);
        }
        gate.rate_limited(Duration::from_millis(10));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_teaches_the_rate_seen_in_the_last_second() {
        let gate = RateGate::default();
        burst_then_429(&gate, 50).await;
        let rate = gate.lock().rate(Instant::now()).expect("pacing");
        assert!((rate - 47.5).abs() < 0.5, "{rate}");
        // Paced: 25 requests take about half a second, after the Retry-After.
        let start = Instant::now();
        for _ in 0..25 {
            assert!(gate.pass(None).await);
        }
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(480) && took < Duration::from_millis(560),
            "{took:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn answers_to_requests_already_out_teach_once_and_later_429s_slow_down() {
        let gate = RateGate::default();
        burst_then_429(&gate, 100).await;
        gate.rate_limited(Duration::from_millis(10));
        gate.rate_limited(Duration::from_millis(10));
        let first = gate.lock().rate(Instant::now()).expect("pacing");
        assert!((first - 95.0).abs() < 0.5, "{first}");
        tokio::time::sleep(Duration::from_millis(20)).await;
        gate.rate_limited(Duration::from_millis(10));
        let second = gate.lock().rate(Instant::now()).expect("pacing");
        assert!(second < first * 0.96, "{first} then {second}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_lone_429_closes_without_pacing() {
        let gate = RateGate::default();
        gate.rate_limited(Duration::from_millis(500));
        assert!(gate.lock().pace.is_none());
        let soon = Instant::now() + Duration::from_millis(100);
        assert!(!gate.pass(Some(soon)).await, "closed past the deadline");
        assert!(gate.pass(None).await);
    }
}
