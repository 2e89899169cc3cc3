//! Acknowledge → ticket visible in psa-sim, with psa-sim holding every request for the
//! simulated round trip: in the long-lived process the desktop app runs ([`Live`]) and from the
//! `oncall` CLI, beside the floor measured in the same run (one round trip plus the local
//! commit).

use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use oncall_core::{
    SystemClock,
    domain::{IncidentId, NewIncident},
    live::Live,
    secrets::Secret,
    settings::{Config, Env, Profile, SettingsFile},
    sync::SyncOptions,
};
use psa_sim::{Faults, SimConfig};

use super::{Spread, ms, ratio, sample, wait_for};
use crate::{Desk, KEY, Sim};

/// What the acknowledgement measurement found.
#[derive(Debug)]
pub struct AckFigures {
    /// psa-sim's added latency.
    pub latency: Duration,
    /// Acknowledgements timed per way.
    pub samples: usize,
    /// One ticket creation over a warm connection: the round trip.
    pub round_trip: Spread,
    /// `Desk::acknowledge` on a file: the local commit.
    pub commit: Spread,
    /// In the long-lived process, from the action to the ticket in psa-sim.
    pub live: Spread,
    /// `oncall ack` from its start to the ticket in psa-sim.
    pub cli: Spread,
    /// `oncall ack` from its start to its exit.
    pub cli_exit: Spread,
}

impl AckFigures {
    /// The floor: the median round trip plus the median local commit.
    pub fn floor(&self) -> Duration {
        self.round_trip.p50 + self.commit.p50
    }
}

/// How often psa-sim is asked whether the ticket is there.
const POLL: Duration = Duration::from_micros(300);

fn incident(n: usize) -> NewIncident {
    NewIncident {
        tenant_id: "acme".into(),
        title: format!("CPU at 100% on srv-{n:03}"),
        severity: "critical".into(),
        ..NewIncident::default()
    }
}

/// Waits until psa-sim holds `count` tickets; returns when it saw them.
fn ticket_visible(sim: &Sim, count: usize) -> Instant {
    wait_for(Duration::from_secs(10), POLL, "ticket in psa-sim", || {
        sim.tickets().len() >= count
    });
    Instant::now()
}

/// Measures `samples` acknowledgements each way, with psa-sim adding `latency`, in `dir`.
pub fn measure(dir: &Path, latency: Duration, samples: usize) -> AckFigures {
    let sim = Sim::with(
        SimConfig::new(KEY)
            .tenant("acme", "ACME Corp")
            .faults(Faults {
                latency_ms: u64::try_from(latency.as_millis()).expect("latency"),
                ..Faults::default()
            }),
    );
    let round_trip = round_trip(&sim, samples);
    let commit = commit(dir, samples);
    let live = in_live(dir, &sim, samples);
    let (cli, cli_exit) = from_cli(&sim, samples);
    let tickets = sim.tickets();
    // Round trips and the two warm-ups included: every acknowledgement made one ticket.
    assert_eq!(
        tickets.len(),
        3 * samples + 2,
        "one ticket per acknowledgement"
    );
    AckFigures {
        latency,
        samples,
        round_trip,
        commit,
        live,
        cli,
        cli_exit,
    }
}

/// A ticket creation through a warm HTTP connection, as the engine sends it.
fn round_trip(sim: &Sim, samples: usize) -> Spread {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let http = reqwest::Client::new();
    let body = serde_json::json!({
        "title": "round trip", "description": "", "source": "On-Call Auto",
        "priority": "P1", "tenant_id": "acme", "org_id": "org-acme", "assigned_tech": "Dana",
        "created_at": "2026-01-01T00:00:00Z", "external_ref": null
    });
    let url = format!("{}/api/v1/tickets", sim.url());
    let create = || {
        rt.block_on(async {
            let r = http
                .post(&url)
                .header("X-Integration-Key", KEY)
                .json(&body)
                .send()
                .await
                .expect("POST");
            assert_eq!(r.status(), 201);
            r.bytes().await.expect("body");
        });
    };
    create();
    sample(samples, create)
}

/// The local commit of an acknowledgement with its queued ticket.
fn commit(dir: &Path, samples: usize) -> Spread {
    let mut desk = oncall_core::Desk::open(&dir.join("commit.sqlite3"), Arc::new(SystemClock))
        .expect("open")
        .with_psa_configured(true);
    desk.add_tenant("acme", "org-acme", "ACME Corp")
        .expect("tenant");
    let ids: Vec<IncidentId> = (0..samples)
        .map(|n| desk.new_incident(&incident(n)).expect("incident").id)
        .collect();
    let mut ids = ids.into_iter();
    sample(samples, || {
        let id = ids.next().expect("incident");
        desk.acknowledge(id, "Dana").expect("ack");
    })
}

/// In [`Live`], as the desktop app runs it: from the action to the ticket in psa-sim.
fn in_live(dir: &Path, sim: &Sim, samples: usize) -> Spread {
    let env = Env {
        psa_api_url: Some(sim.url()),
        psa_service_key: Some(Secret::new(KEY)),
    };
    let config_dir = dir.join("live-config");
    let live = Live::open(
        &dir.join("live.sqlite3"),
        Arc::new(move || {
            Config::load(
                env.clone(),
                SettingsFile::in_dir(&config_dir),
                Profile::parse("measure").expect("profile"),
            )
        }),
        Arc::new(SystemClock),
        SyncOptions::default(),
    )
    .expect("live");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.spawn(Arc::clone(&live).run());
    live.act(None, |d| d.add_tenant("acme", "org-acme", "ACME Corp"))
        .expect("tenant");
    let mut times = Vec::with_capacity(samples);
    // The first one warms the connection, as a running app's would be.
    for n in 0..=samples {
        let id = live
            .act(None, |d| d.new_incident(&incident(n)))
            .expect("incident")
            .id;
        let before = sim.tickets().len();
        let start = Instant::now();
        live.act(Some(id), |d| d.acknowledge(id, "Dana"))
            .expect("ack");
        let seen = ticket_visible(sim, before + 1);
        if n > 0 {
            times.push(seen - start);
        }
    }
    drop(rt);
    Spread::of(times)
}

/// `oncall ack` as a technician runs it, with `PSA_API_URL` and `PSA_SERVICE_KEY` set.
fn from_cli(sim: &Sim, samples: usize) -> (Spread, Spread) {
    let desk = Desk::new().psa(sim);
    desk.tenant("acme");
    let (mut visible, mut exited) = (Vec::new(), Vec::new());
    for _ in 0..samples {
        let id = desk.incident("acme", "CPU at 100% on srv-001", "critical");
        let before = sim.tickets().len();
        let start = Instant::now();
        let mut child = desk
            .command(&["ack", &id, "--tech", "Dana"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("oncall ack starts");
        visible.push(ticket_visible(sim, before + 1) - start);
        let status = child.wait().expect("oncall ack runs");
        exited.push(start.elapsed());
        assert!(status.success(), "oncall ack failed");
    }
    (Spread::of(visible), Spread::of(exited))
}

impl AckFigures {
    /// The figures as the markdown of docs/performance.md.
    pub fn markdown(&self) -> String {
        let floor = self.floor();
        let row = |what: &str, s: &Spread, vs: &str| {
            format!("| {what} | {} | {} | {vs} |\n", ms(s.p50), ms(s.p99))
        };
        let mut out = format!(
            "psa-sim adds {} to every request; {} acknowledgements each way.\n\n\
             | what | p50 | p99 | p50 against the floor (goal ≤ 1.05×) |\n|---|---|---|---|\n",
            ms(self.latency),
            self.samples
        );
        out += &row(
            "one round trip (ticket creation, warm connection)",
            &self.round_trip,
            "",
        );
        out += &row(
            "the local commit (`Desk::acknowledge`, WAL, `synchronous=FULL`)",
            &self.commit,
            "",
        );
        out += &format!(
            "| **floor**: round trip + commit (p50s) | {} | | 1.00× |\n",
            ms(floor)
        );
        out += &row(
            "app's long-lived process (`Live`): action → ticket in psa-sim",
            &self.live,
            &ratio(self.live.p50, floor),
        );
        out += &row(
            "CLI: `oncall ack` started → ticket in psa-sim",
            &self.cli,
            &ratio(self.cli.p50, floor),
        );
        out += &row(
            "CLI: `oncall ack` started → exited",
            &self.cli_exit,
            &ratio(self.cli_exit.p50, floor),
        );
        out
    }
}
