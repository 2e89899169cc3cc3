//! A technician's load for a while, with every fault on and `oncall sync --watch` delivering
//! as they work: new incidents, acknowledgements, notes, time and resolutions, made through the
//! core on the same database file the sync process drains. At the end every write is in the
//! PSA once, in order. Seconds of load: `ONCALL_SOAK_SECS` (default 3, a smoke;
//! `scripts/measure soak` runs 300).

use std::{
    process::Stdio,
    sync::Arc,
    time::{Duration, Instant},
};

use oncall_core::{
    Desk as CoreDesk, SystemClock,
    domain::{IncidentId, ManualEntry, NewIncident},
};
use oncall_e2e::{
    Desk, Sim,
    delivered::{assert_exactly_once_in_order, assert_integrity},
    env_number, every_fault, rng_from_env,
};
use rusqlite::{Connection, OpenFlags};

/// Incidents a technician keeps open at once.
const OPEN_AT_ONCE: usize = 3;
/// The pause between two actions: far busier than a person, still not a tight loop.
const PAUSE: Duration = Duration::from_millis(25);

#[test]
fn a_technician_working_through_every_fault_has_every_write_delivered_once() {
    let secs = env_number("ONCALL_SOAK_SECS", 3);
    let sim = Sim::start();
    sim.set_faults(&every_fault());
    let desk = Desk::new().psa(&sim);
    let mut core = CoreDesk::open(&desk.db(), Arc::new(SystemClock))
        .expect("open")
        .with_psa_configured(true);
    core.add_tenant("acme", "org-acme", "ACME Corp")
        .expect("tenant");
    core.add_tenant("globex", "org-globex", "Globex Inc")
        .expect("tenant");
    let mut sync = desk
        .command(&[
            "sync",
            "--watch",
            "--concurrency",
            "4",
            "--backoff-ms",
            "20",
            "--max-backoff-ms",
            "1000",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn sync --watch");

    let (seed, mut rng) = rng_from_env("ONCALL_SOAK_SEED");
    let started = Instant::now();
    let end = started + Duration::from_secs(secs);
    let mut open: Vec<IncidentId> = Vec::new();
    let (mut actions, mut incidents) = (0u64, 0u64);
    while Instant::now() < end {
        if open.len() < OPEN_AT_ONCE || rng() % 8 == 0 {
            let incident = core
                .new_incident(&NewIncident {
                    tenant_id: ["acme", "globex"][incidents as usize % 2].into(),
                    title: format!("Soak incident {incidents}"),
                    severity: ["critical", "high", "medium", "low"][rng() as usize % 4].into(),
                    description: "Alert from the RMM".into(),
                    ..NewIncident::default()
                })
                .expect("new incident");
            core.acknowledge(incident.id, "Dana").expect("acknowledge");
            open.push(incident.id);
            incidents += 1;
            actions += 2;
        } else {
            let at = rng() as usize % open.len();
            let id = open[at];
            match rng() % 5 {
                0 | 1 => {
                    core.add_note(id, "Dana", &format!("Checked again, action {actions}"))
                        .expect("note");
                }
                2 => {
                    let entry = ManualEntry {
                        technician: "Dana".into(),
                        minutes: 5 + (rng() % 40) as i64,
                        ..ManualEntry::default()
                    };
                    core.add_time(id, &entry).expect("time");
                }
                _ => {
                    core.resolve(id, "Dana", Some("Fixed")).expect("resolve");
                    open.swap_remove(at);
                }
            }
            actions += 1;
        }
        std::thread::sleep(PAUSE);
    }
    let load = started.elapsed();

    // The watcher drains what is left, faults still on.
    let drain = Instant::now();
    let deadline = drain + Duration::from_secs(300);
    while undelivered(&desk.db()) > 0 {
        assert!(
            sync.try_wait().expect("poll").is_none(),
            "sync --watch stopped"
        );
        assert!(Instant::now() < deadline, "the backlog never drained");
        std::thread::sleep(Duration::from_millis(50));
    }
    let drained_in = drain.elapsed();
    assert!(
        sync.try_wait().expect("poll").is_none(),
        "sync --watch ran throughout"
    );
    sync.kill().expect("stop sync --watch");
    sync.wait().expect("reap");

    assert_integrity(&desk.db());
    let delivered = assert_exactly_once_in_order(&sim, &desk.db());
    assert_eq!(delivered.incidents as u64, incidents);
    println!(
        "soak figures: seconds={:.0} actions={actions} incidents={incidents} writes={} \
         requests={} replays={} drain_after_load_ms={} seed={seed}",
        load.as_secs_f64(),
        delivered.writes,
        delivered.requests,
        delivered.requests - delivered.writes,
        drained_in.as_millis()
    );
}

/// Outbox items not yet delivered; panics on one the PSA refused.
fn undelivered(db: &std::path::Path) -> i64 {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    let refused: i64 = conn
        .query_row(
            "SELECT count(*) FROM outbox WHERE state = 'refused'",
            [],
            |r| r.get(0),
        )
        .expect("refused");
    assert_eq!(refused, 0, "no write refused");
    conn.query_row(
        "SELECT count(*) FROM outbox WHERE state = 'pending'",
        [],
        |r| r.get(0),
    )
    .expect("pending")
}
