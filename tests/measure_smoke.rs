//! The measurements of docs/performance.md at tiny sizes: each harness still runs the real
//! parts and checks what it measured (rows and totals, one ticket per acknowledgement, every
//! write exactly once and in order), in seconds. No figure is asserted; `scripts/measure` makes
//! them.

use std::time::Duration;

use oncall_e2e::measure::{ack, drain, store};
use psa_sim::Faults;

#[test]
fn store_harness_saves_notes_and_pages_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let figures = store::measure(
        dir.path(),
        store::StoreSize {
            saves: 20,
            incidents: 2000,
            queries: 3,
        },
    );
    assert!(figures.markdown().contains("durable note save (20 saves)"));
}

#[test]
fn ack_harness_sees_each_ticket_in_the_psa() {
    let dir = tempfile::tempdir().unwrap();
    let figures = ack::measure(dir.path(), Duration::from_millis(5), 2);
    // The ticket cannot be in the PSA before psa-sim held the request for its latency.
    assert!(figures.live.p50 >= figures.latency && figures.cli.p50 >= figures.latency);
    assert!(figures.markdown().contains("oncall ack"));
}

#[test]
fn drain_harness_delivers_each_write_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let figures = drain::measure(
        dir.path(),
        drain::Backlog {
            incidents: 6,
            notes: 3,
        },
        1000.0,
        Duration::from_millis(2),
    );
    assert_eq!(figures.backlog.writes(), 24);
    assert!(figures.markdown().contains("24 queued writes"));
}

/// A good client barely hits a rate limit: after the first 429 it paces itself at the rate the
/// PSA accepted, instead of bursting again after every `Retry-After`. (Before it paced, this
/// drain met 9 to 12 429s, a new one each second; paced, 1 to 5.)
#[test]
fn a_drain_under_a_rate_limit_meets_few_429s() {
    let dir = tempfile::tempdir().unwrap();
    let backlog = drain::Backlog {
        incidents: 24,
        notes: 4,
    };
    let template = drain::write_backlog(dir.path(), backlog);
    let run = drain::drain(
        &template,
        backlog,
        Faults {
            rate_limit: Some(20.0),
            latency_ms: 20,
            ..Faults::default()
        },
        &oncall_core::sync::SyncOptions::default(),
    );
    let writes = backlog.writes() as u64;
    assert!(
        run.rate_limited * 15 < writes,
        "{} 429s for {writes} writes",
        run.rate_limited
    );
}
