//! The long-lived desk (what the desktop app and `oncall sync --watch` run on) against psa-sim
//! over loopback: actions reach the PSA without anyone asking, other processes' writes reach the
//! change feed, and a configuration changed while it runs takes effect.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use oncall_core::{
    SystemClock,
    domain::{IncidentId, NewIncident},
    live::{ConfigSource, Live, LiveEvent},
    secrets::Secret,
    settings::{Config, Env, Profile, SettingsFile},
    sync::SyncOptions,
    view::PsaState,
};
use oncall_e2e::{Desk, KEY, Sim};

/// A configuration read from `env` each time, with an empty settings file in `dir`.
fn source(env: Arc<Mutex<Env>>, dir: &std::path::Path) -> ConfigSource {
    let dir = dir.to_owned();
    Arc::new(move || {
        let env = env.lock().unwrap().clone();
        Config::load(
            env,
            SettingsFile::in_dir(&dir),
            Profile::parse("live-test").unwrap(),
        )
    })
}

fn env_for(sim: &Sim) -> Env {
    Env {
        psa_api_url: Some(sim.url()),
        psa_service_key: Some(Secret::new(KEY)),
    }
}

/// Waits until `cond` holds, up to `limit`, checking every 20 ms.
fn eventually(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    cond()
}

fn incident(title: &str) -> NewIncident {
    NewIncident {
        tenant_id: "acme".into(),
        title: title.into(),
        severity: "critical".into(),
        ..NewIncident::default()
    }
}

struct Running {
    live: Arc<Live>,
    rt: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

fn start(env: Env) -> (Running, Arc<Mutex<Env>>) {
    let dir = tempfile::tempdir().unwrap();
    let env = Arc::new(Mutex::new(env));
    let live = Live::open(
        &dir.path().join("desk.sqlite3"),
        source(Arc::clone(&env), dir.path()),
        Arc::new(SystemClock),
        SyncOptions::default(),
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.spawn(Arc::clone(&live).run());
    live.act(None, |d| d.add_tenant("acme", "42", "ACME Corp").map(|_| ()))
        .unwrap();
    (
        Running {
            live,
            rt,
            _dir: dir,
        },
        env,
    )
}

#[test]
fn an_acknowledgement_and_a_note_reach_the_psa_without_a_sync_command() {
    let sim = Sim::start();
    let (r, _) = start(env_for(&sim));
    let id = r
        .live
        .act(None, |d| d.new_incident(&incident("Disk full on fs-01")))
        .unwrap()
        .id;
    r.live
        .act(Some(id), |d| d.acknowledge(id, "Dana").map(|_| ()))
        .unwrap();
    assert!(
        eventually(Duration::from_secs(10), || sim.tickets().len() == 1),
        "the ticket never reached the PSA"
    );
    r.live
        .act(Some(id), |d| d.add_note(id, "Dana", "Cleared the temp folder").map(|_| ()))
        .unwrap();
    assert!(
        eventually(Duration::from_secs(10), || sim.tickets()[0].ticket.notes.len() == 1),
        "the note never reached the PSA"
    );
    let view = r.live.read(|d| d.incident_view(id)).unwrap();
    assert!(view.incident.psa_ticket_id.is_some());
    assert_eq!(r.live.status().unwrap().psa, PsaState::Online);
    drop(r.rt);
}

#[test]
fn a_note_written_by_another_process_reaches_the_change_feed_within_a_second() {
    let (r, _) = start(Env::default());
    let id = r
        .live
        .act(None, |d| d.new_incident(&incident("Printer offline")))
        .unwrap()
        .id;
    let mut events = r.live.subscribe();
    // Another process: the `oncall` command line on the same file.
    let cli = Desk::new().env("ONCALL_DB", r.live.db_path().to_str().unwrap());
    let written = Instant::now();
    let run = cli.run(&["note", &id.to_string(), "--author", "Sam", "Rebooted the spooler"]);
    assert!(run.ok, "{}", run.stderr);
    let seen = r.rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(1) + written.elapsed(), async {
            loop {
                match events.recv().await {
                    Ok(LiveEvent::Changed(c)) if c.all || c.incidents.contains(&id) => return,
                    Ok(_) => {}
                    Err(e) => panic!("feed closed: {e}"),
                }
            }
        })
        .await
    });
    assert!(seen.is_ok(), "the change feed did not report the CLI's note");
    let view = r.live.read(|d| d.incident_view(id)).unwrap();
    assert_eq!(view.notes[0].body, "Rebooted the spooler");
}

#[test]
fn a_psa_configured_while_running_is_used_without_a_restart() {
    let sim = Sim::start();
    let (r, env) = start(Env::default());
    assert_eq!(r.live.status().unwrap().psa, PsaState::NotConfigured);
    *env.lock().unwrap() = env_for(&sim);
    r.live.reconfigure();
    let id: IncidentId = r
        .live
        .act(None, |d| d.new_incident(&incident("VPN down")))
        .unwrap()
        .id;
    r.live
        .act(Some(id), |d| d.acknowledge(id, "Dana").map(|_| ()))
        .unwrap();
    assert!(
        eventually(Duration::from_secs(10), || sim.tickets().len() == 1),
        "the ticket never reached the newly configured PSA"
    );
    assert!(eventually(Duration::from_secs(5), || {
        r.live.status().unwrap().psa == PsaState::Online
    }));
}
