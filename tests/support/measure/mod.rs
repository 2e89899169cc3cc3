//! The measurements behind docs/performance.md (`scripts/measure ack drain store`): each runs
//! the real parts (an SQLite file, psa-sim over loopback, the `oncall` binary) at a size the
//! caller picks, checks that what it measured came out right, and returns its figures. The full
//! sizes run from `cargo bench -p oncall-e2e --bench measure`; tiny ones in the smoke tests.

pub mod ack;
pub mod drain;
pub mod store;

use std::time::{Duration, Instant};

/// The median and the 99th percentile of some timings.
#[derive(Debug, Clone, Copy)]
pub struct Spread {
    /// The median.
    pub p50: Duration,
    /// The 99th percentile (nearest rank).
    pub p99: Duration,
}

impl Spread {
    /// The spread of `samples` (at least one).
    pub fn of(mut samples: Vec<Duration>) -> Self {
        assert!(!samples.is_empty(), "no samples");
        samples.sort_unstable();
        let rank = |p: f64| {
            let i = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
            samples[i - 1]
        };
        Self {
            p50: rank(0.50),
            p99: rank(0.99),
        }
    }
}

/// Runs `f` `n` times and times each run.
pub fn sample(n: usize, mut f: impl FnMut()) -> Spread {
    Spread::of(
        (0..n)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

/// A duration in milliseconds, with two decimals under 10 ms.
pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

/// `a / b` as a ratio with two decimals.
pub fn ratio(a: Duration, b: Duration) -> String {
    format!("{:.2}×", a.as_secs_f64() / b.as_secs_f64())
}

/// Waits until `cond` holds, checking as often as `every`; panics after `limit`.
pub fn wait_for(limit: Duration, every: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + limit;
    while !cond() {
        assert!(Instant::now() < end, "{what}: not within {limit:?}");
        std::thread::sleep(every);
    }
}
