//! Exactly-once delivery under faults and crashes: a large backlog drained by `oncall sync`
//! against psa-sim with errors, a rate limit, dropped connections and lost responses, and a sync
//! process killed with SIGKILL at random moments.

use std::{
    path::Path,
    process::Stdio,
    sync::Arc,
    time::{Duration, Instant},
};

use oncall_core::{
    Desk as CoreDesk, SystemClock,
    domain::{IncidentId, NewIncident},
};
use oncall_e2e::{
    Desk, Sim,
    delivered::{assert_exactly_once_in_order, assert_integrity},
    env_number, every_fault, rng_from_env,
};
use psa_sim::Faults;

/// Queues `count` incidents numbered from `first`, each acknowledged, with `notes` notes,
/// resolved: the writes a technician offline for a while would leave behind. Returns their ids.
fn backlog(db: &Path, first: usize, count: usize, notes: usize) -> Vec<IncidentId> {
    let mut desk = CoreDesk::open(db, Arc::new(SystemClock))
        .expect("open")
        .with_psa_configured(true);
    if desk.tenants().expect("tenants").is_empty() {
        desk.add_tenant("acme", "org-acme", "ACME Corp")
            .expect("tenant");
        desk.add_tenant("globex", "org-globex", "Globex Inc")
            .expect("tenant");
    }
    (first..first + count)
        .map(|n| {
            let incident = desk
                .new_incident(&NewIncident {
                    tenant_id: if n % 2 == 0 { "acme" } else { "globex" }.into(),
                    title: format!("Incident {n}"),
                    severity: ["critical", "high", "medium", "low"][n % 4].into(),
                    ..NewIncident::default()
                })
                .expect("incident");
            desk.acknowledge(incident.id, "Dana").expect("ack");
            for k in 0..notes {
                desk.add_note(incident.id, "Dana", &format!("Incident {n} note {k}"))
                    .expect("note");
            }
            desk.resolve(incident.id, "Dana", Some("done"))
                .expect("resolve");
            incident.id
        })
        .collect()
}

/// Every incident has exactly one ticket, each note exactly once and in order, one resolution;
/// the simulator applied each write once however many times it was sent; the local records
/// point at the right ticket.
fn assert_exactly_once(sim: &Sim, db: &Path, ids: &[IncidentId], notes: usize) {
    let tickets = sim.tickets();
    assert_eq!(tickets.len(), ids.len(), "one ticket per incident");
    let mut desk = CoreDesk::open(db, Arc::new(SystemClock)).expect("open");
    for (n, id) in ids.iter().enumerate() {
        let title = format!("Incident {n}");
        let mine: Vec<_> = tickets.iter().filter(|t| t.ticket.title == title).collect();
        assert_eq!(mine.len(), 1, "{title}: exactly one ticket");
        let t = mine[0];
        let bodies: Vec<_> = t.ticket.notes.iter().map(|n| n.body.clone()).collect();
        let want: Vec<_> = (0..notes).map(|k| format!("{title} note {k}")).collect();
        assert_eq!(bodies, want, "{title}: each note once, in order");
        assert!(t.ticket.resolution.is_some(), "{title}: resolved");
        assert_eq!(
            t.ticket.time_entries.len(),
            1,
            "{title}: the timer's entry once"
        );
        assert_eq!(
            t.applied_writes,
            notes as u64 + 3,
            "{title}: every write applied once"
        );
        assert!(t.writes >= t.applied_writes);
        let local = desk.incident(*id).expect("incident");
        assert_eq!(
            local.incident.psa_ticket_id.as_deref(),
            Some(t.ticket.id.as_str())
        );
        assert!(
            local.outbox.iter().all(|o| o.state.as_str() == "done"),
            "{title}: outbox delivered"
        );
    }
}

#[test]
fn a_backlog_of_200_incidents_with_10_notes_drains_exactly_once_through_every_fault() {
    let sim = Sim::start();
    let desk = Desk::new().psa(&sim);
    let ids = backlog(&desk.db(), 0, 200, 10);
    sim.set_faults(&Faults {
        rate_limit: Some(400.0),
        fail_rate: 0.3,
        drop_rate: 0.05,
        lose_response_rate: 0.05,
        garble_rate: 0.05,
        latency_ms: 0,
    });
    // Short backoffs: at a 40% failure rate the default 5-minute cap, not the engine, would
    // decide how long the slowest incident takes.
    let report = desk.json(&[
        "sync",
        "--concurrency",
        "16",
        "--backoff-ms",
        "20",
        "--max-backoff-ms",
        "500",
        "--timeout",
        "600",
    ]);
    assert_eq!(report["pending"], 0, "{report:#}");
    assert_eq!(report["refused"], 0, "{report:#}");
    assert!(
        report["retried"].as_u64().expect("retried") > 0,
        "the faults were felt"
    );
    assert_exactly_once(&sim, &desk.db(), &ids, 10);
    let replays: u64 = sim
        .tickets()
        .iter()
        .map(|t| t.writes - t.applied_writes)
        .sum();
    assert!(
        replays > 0,
        "lost responses were replayed under their idempotency keys"
    );
}

/// `oncall sync` killed with SIGKILL at random moments of a drain under every fault, then left
/// to finish: the PSA holds every write once, in order, and the database file is sound. Kills:
/// `ONCALL_CRASH_KILLS` (default 8, a smoke; `scripts/measure crash` runs 200); replay a
/// schedule with `ONCALL_CRASH_SEED`.
#[test]
fn a_sync_killed_at_random_moments_loses_nothing_and_duplicates_nothing() {
    let target = env_number("ONCALL_CRASH_KILLS", 8);
    let sim = Sim::start();
    let desk = Desk::new().psa(&sim);
    // Each incident is six writes; more are queued whenever a sync drains them all.
    let batch = (target as usize / 2).max(4);
    let mut ids = backlog(&desk.db(), 0, batch, 3);
    sim.set_faults(&every_fault());
    let (seed, mut rng) = rng_from_env("ONCALL_CRASH_SEED");
    let started = Instant::now();
    let (mut kills, mut drained) = (0, 0);
    while kills < target {
        let received = sim.requests_received();
        let mut child = desk
            .command(&[
                "sync",
                "--concurrency",
                "4",
                "--backoff-ms",
                "10",
                "--max-backoff-ms",
                "200",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn sync");
        // A random moment: after a random number of requests has gone out, then a little more,
        // so kills land before, during and after requests and their answers.
        let requests = received + 1 + rng() % 6;
        let deadline = Instant::now() + Duration::from_secs(10);
        while sim.requests_received() < requests
            && child.try_wait().expect("poll").is_none()
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_micros(rng() % 20_000));
        if child.try_wait().expect("poll").is_some() {
            // It finished first: queue more so there is a drain left to interrupt.
            drained += 1;
            ids.extend(backlog(&desk.db(), ids.len(), batch, 3));
            continue;
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        kills += 1;
    }
    let left = pending(&desk.db());
    let report = desk.json(&[
        "sync",
        "--backoff-ms",
        "10",
        "--max-backoff-ms",
        "200",
        "--timeout",
        "600",
    ]);
    assert_eq!(report["pending"], 0, "{report:#}");
    assert_eq!(report["refused"], 0, "{report:#}");
    assert_exactly_once(&sim, &desk.db(), &ids, 3);
    assert_integrity(&desk.db());
    let delivered = assert_exactly_once_in_order(&sim, &desk.db());
    println!(
        "crash figures: kills={kills} incidents={} writes={} sent={} requests={} replays={} \
         left_after_kills={left} drained_between_kills={drained} seed={seed} seconds={:.0}",
        delivered.incidents,
        delivered.writes,
        sim.requests_received(),
        delivered.requests,
        delivered.requests - delivered.writes,
        started.elapsed().as_secs_f64()
    );
}

/// Outbox items not yet delivered.
fn pending(db: &Path) -> i64 {
    rusqlite::Connection::open(db)
        .and_then(|c| {
            c.query_row(
                "SELECT count(*) FROM outbox WHERE state = 'pending'",
                [],
                |r| r.get(0),
            )
        })
        .expect("pending count")
}
