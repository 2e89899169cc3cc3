//! A backlog of queued writes drained into psa-sim: at a rate limit (against the floor the
//! limit sets, counting the 429s received) and with latency and no limit (against the serial
//! floor and the floor the engine's concurrency sets). Every drain is checked: each write in the
//! PSA exactly once, each incident's in order.

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use oncall_core::{
    Desk, SystemClock,
    domain::NewIncident,
    psa::{OnePsaClient, PsaConfig},
    secrets::Secret,
    sync::{SyncEngine, SyncOptions},
};
use psa_sim::{Faults, SimConfig};

use super::{ms, ratio};
use crate::{KEY, Sim};

/// The shape of a backlog: each incident's ticket and then its notes.
#[derive(Debug, Clone, Copy)]
pub struct Backlog {
    /// Incidents acknowledged while the PSA was away.
    pub incidents: usize,
    /// Notes added to each after acknowledging it.
    pub notes: usize,
}

impl Backlog {
    /// Queued writes in all.
    pub fn writes(self) -> usize {
        self.incidents * (self.notes + 1)
    }
}

/// One drain: how long it took and how many 429s the PSA answered.
#[derive(Debug, Clone, Copy)]
pub struct Drain {
    /// From the engine's start to an empty outbox.
    pub took: Duration,
    /// 429s psa-sim answered.
    pub rate_limited: u64,
    /// Requests psa-sim received.
    pub requests: u64,
}

/// What the drain measurement found.
#[derive(Debug)]
pub struct DrainFigures {
    /// The backlog drained.
    pub backlog: Backlog,
    /// psa-sim's rate limit in the first drain.
    pub rate_limit: f64,
    /// The drain at that rate limit.
    pub limited: Drain,
    /// psa-sim's latency in the second drain.
    pub latency: Duration,
    /// The drain with that latency and no limit.
    pub delayed: Drain,
    /// Incidents delivered at once (the engine's concurrency).
    pub concurrency: usize,
}

/// Writes `backlog` into a database in `dir` as queued writes, as a technician acknowledging
/// and writing notes while the PSA is away leaves them.
pub fn write_backlog(dir: &Path, backlog: Backlog) -> PathBuf {
    let db = dir.join("backlog.sqlite3");
    let mut desk = Desk::open(&db, Arc::new(SystemClock))
        .expect("open")
        .with_psa_configured(true);
    desk.add_tenant("acme", "org-acme", "ACME Corp")
        .expect("tenant");
    let incidents: Vec<NewIncident> = (0..backlog.incidents)
        .map(|n| NewIncident {
            tenant_id: "acme".into(),
            title: format!("Backlog incident {n}"),
            severity: "medium".into(),
            ..NewIncident::default()
        })
        .collect();
    for incident in desk.new_incidents(&incidents).expect("incidents") {
        desk.acknowledge(incident.id, "Dana").expect("ack");
        for k in 0..backlog.notes {
            desk.add_note(incident.id, "Dana", &format!("note {k}"))
                .expect("note");
        }
    }
    assert_eq!(
        desk.sync_status().expect("status").counts.pending as usize,
        backlog.writes()
    );
    db
}

/// Drains a copy of `template` into a fresh psa-sim with `faults`, and checks the PSA's state.
pub fn drain(template: &Path, backlog: Backlog, faults: Faults, options: &SyncOptions) -> Drain {
    static RUNS: AtomicU32 = AtomicU32::new(0);
    let run = RUNS.fetch_add(1, Ordering::SeqCst);
    let db = template.with_extension(format!("run-{run}.sqlite3"));
    std::fs::copy(template, &db).expect("copy the backlog");
    let sim = Sim::with(
        SimConfig::new(KEY)
            .tenant("acme", "ACME Corp")
            .faults(faults),
    );
    let client = OnePsaClient::new(PsaConfig::new(&sim.url(), Secret::new(KEY)).expect("config"))
        .expect("client");
    let engine = Arc::new(
        SyncEngine::open(&db, client, Arc::new(SystemClock), options.clone()).expect("engine"),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let start = Instant::now();
    let report = rt.block_on(engine.drain(None)).expect("drain");
    let took = start.elapsed();
    assert_eq!((report.pending, report.refused), (0, 0), "{report:?}");
    check_exactly_once_in_order(&sim, backlog);
    let figures = Drain {
        took,
        rate_limited: sim.rate_limited(),
        requests: sim.requests_received(),
    };
    drop(engine);
    std::fs::remove_file(&db).ok();
    figures
}

/// Every incident has one ticket holding its notes once each, in the order written.
fn check_exactly_once_in_order(sim: &Sim, backlog: Backlog) {
    let tickets = sim.tickets();
    assert_eq!(tickets.len(), backlog.incidents, "one ticket per incident");
    let expected: Vec<String> = (0..backlog.notes).map(|k| format!("note {k}")).collect();
    for t in tickets {
        let bodies: Vec<String> = t.ticket.notes.iter().map(|n| n.body.clone()).collect();
        assert_eq!(bodies, expected, "notes of {}", t.ticket.id);
        assert_eq!(
            t.applied_writes as usize,
            backlog.notes + 1,
            "{}",
            t.ticket.id
        );
    }
}

/// Drains `backlog` at `rate_limit` requests/s, then with `latency` and no limit.
pub fn measure(dir: &Path, backlog: Backlog, rate_limit: f64, latency: Duration) -> DrainFigures {
    let template = write_backlog(dir, backlog);
    let options = SyncOptions::default();
    let limited = drain(
        &template,
        backlog,
        Faults {
            rate_limit: Some(rate_limit),
            ..Faults::default()
        },
        &options,
    );
    let delayed = drain(
        &template,
        backlog,
        Faults {
            latency_ms: u64::try_from(latency.as_millis()).expect("latency"),
            ..Faults::default()
        },
        &options,
    );
    DrainFigures {
        backlog,
        rate_limit,
        limited,
        latency,
        delayed,
        concurrency: options.concurrency,
    }
}

impl DrainFigures {
    /// The floor the rate limit sets: every write at the limit.
    pub fn rate_floor(&self) -> Duration {
        Duration::from_secs_f64(self.backlog.writes() as f64 / self.rate_limit)
    }

    /// One write after the other, each one round trip.
    pub fn serial_floor(&self) -> Duration {
        self.latency * u32::try_from(self.backlog.writes()).expect("writes")
    }

    /// `concurrency` incidents at a time, each incident's writes one after the other.
    pub fn concurrent_floor(&self) -> Duration {
        let rounds = self.backlog.incidents.div_ceil(self.concurrency);
        self.latency * u32::try_from(rounds * (self.backlog.notes + 1)).expect("rounds")
    }

    /// The figures as the markdown of docs/performance.md.
    pub fn markdown(&self) -> String {
        let writes = self.backlog.writes();
        let secs = |d: Duration| format!("{:.1} s", d.as_secs_f64());
        format!(
            "Backlog: {writes} queued writes ({} incidents × (ticket + {} notes)); the engine's \
             defaults ({} incidents at once). Each drain checked: every write in psa-sim exactly \
             once, each incident's in order.\n\n\
             | drain | took | floor | against the floor | 429s received | requests |\n\
             |---|---|---|---|---|---|\n\
             | rate limit {} requests/s | {} | {} ({writes} / {}) | {} (goal ≤ 1.05×) | {} ({:.2}% of writes) | {} |\n\
             | no limit, {} latency | {} | serial {} ({writes} × {}) | {} | {} | {} |\n\
             | | | concurrent {} ({} incidents at once) | {} | | |\n",
            self.backlog.incidents,
            self.backlog.notes,
            self.concurrency,
            self.rate_limit,
            secs(self.limited.took),
            secs(self.rate_floor()),
            self.rate_limit,
            ratio(self.limited.took, self.rate_floor()),
            self.limited.rate_limited,
            100.0 * self.limited.rate_limited as f64 / writes as f64,
            self.limited.requests,
            ms(self.latency),
            secs(self.delayed.took),
            secs(self.serial_floor()),
            ms(self.latency),
            ratio(self.delayed.took, self.serial_floor()),
            self.delayed.rate_limited,
            self.delayed.requests,
            secs(self.concurrent_floor()),
            self.concurrency,
            ratio(self.delayed.took, self.concurrent_floor()),
        )
    }
}
