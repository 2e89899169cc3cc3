//! Billable time: timers and time entries through the core with a controlled clock, delivered
//! over real HTTP to psa-sim; and the `oncall time` command line.

use std::{
    path::Path,
    sync::{Arc, Mutex},
    time::Duration,
};

use jiff::{SignedDuration, Timestamp};
use oncall_core::{
    Clock, Desk as CoreDesk, SystemClock,
    domain::{IncidentId, ManualEntry, NewIncident, TimePolicy},
    psa::{OnePsaClient, PsaConfig},
    secrets::Secret,
    sync::{SyncEngine, SyncOptions, SyncReport},
};
use oncall_e2e::{Desk, KEY, Sim};
use psa_sim::{Faults, SimTicket};

/// A clock the test moves by hand.
struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    fn at(iso: &str) -> Arc<Self> {
        Arc::new(Self(Mutex::new(iso.parse().expect("timestamp"))))
    }

    fn advance(&self, minutes: i64) {
        let mut now = self.0.lock().expect("clock");
        *now += SignedDuration::from_mins(minutes);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().expect("clock")
    }
}

fn ts(iso: &str) -> Timestamp {
    iso.parse().expect("timestamp")
}

fn desk(db: &Path, clock: &Arc<ManualClock>, psa: bool, increment: u32) -> CoreDesk {
    let clock: Arc<dyn Clock> = clock.clone();
    CoreDesk::open(db, clock)
        .expect("open")
        .with_psa_configured(psa)
        .with_time_policy(TimePolicy {
            increment_minutes: increment,
            ..TimePolicy::default()
        })
}

fn incident(desk: &mut CoreDesk, title: &str) -> IncidentId {
    desk.new_incident(&NewIncident {
        tenant_id: "acme".into(),
        title: title.into(),
        severity: "high".into(),
        ..NewIncident::default()
    })
    .expect("incident")
    .id
}

fn drain(db: &Path, url: &str) -> SyncReport {
    let config = PsaConfig::new(url, Secret::new(KEY)).expect("config");
    let client = OnePsaClient::new(config).expect("client");
    let options = SyncOptions {
        base_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(100),
        ..SyncOptions::default()
    };
    let engine =
        Arc::new(SyncEngine::open(db, client, Arc::new(SystemClock), options).expect("engine"));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(engine.drain(Some(tokio::time::Instant::now() + Duration::from_secs(60))))
        .expect("drain")
}

fn ticket_of(sim: &Sim, desk: &mut CoreDesk, id: IncidentId) -> SimTicket {
    let ticket = desk
        .incident(id)
        .expect("incident")
        .incident
        .psa_ticket_id
        .expect("has a ticket");
    sim.ticket(&ticket)
}

fn setup(sim: Option<&Sim>, increment: u32) -> (tempfile::TempDir, Arc<ManualClock>, CoreDesk) {
    let dir = tempfile::tempdir().expect("dir");
    let clock = ManualClock::at("2026-11-25T03:00:00Z");
    let mut d = desk(
        &dir.path().join("db.sqlite3"),
        &clock,
        sim.is_some(),
        increment,
    );
    d.add_tenant("acme", "org-acme", "ACME Corp")
        .expect("tenant");
    (dir, clock, d)
}

#[test]
fn acknowledge_work_pause_resolve_puts_one_entry_with_pauses_excluded_on_the_ticket() {
    let sim = Sim::start();
    let (dir, clock, mut d) = setup(Some(&sim), 6);
    let db = dir.path().join("db.sqlite3");
    let id = incident(&mut d, "CPU critical on client-server-01");
    d.acknowledge(id, "Dana").expect("ack"); // 03:00, the timer starts
    clock.advance(20);
    d.pause_timer(id, "Dana").expect("pause"); // 03:20
    clock.advance(30);
    d.start_timer(id, "Dana").expect("resume"); // 03:50
    clock.advance(13);
    d.resolve(id, "Dana", Some("done")).expect("resolve"); // 04:03: stops the timer
    drain(&db, &sim.url());

    let t = ticket_of(&sim, &mut d, id).ticket;
    assert_eq!(t.time_entries.len(), 1, "exactly one time entry");
    let e = &t.time_entries[0];
    assert_eq!(ts(&e.started_at), ts("2026-11-25T03:00:00Z"));
    assert_eq!(ts(&e.ended_at), ts("2026-11-25T04:03:00Z"));
    assert_eq!(
        e.minutes, 36,
        "33 minutes worked, rounded up to 6-minute increments"
    );
    assert!(e.billable);
    assert_eq!(e.work_type, "Remote Support");
    assert_eq!(e.note.as_deref(), Some("CPU critical on client-server-01"));
    assert_eq!(e.technician, "Dana");
    assert!(
        d.timers().expect("timers").is_empty(),
        "resolving stops the timer"
    );
    let local = d.time_entries(id).expect("entries");
    assert_eq!(
        local[0].entry.psa_time_entry_id.as_deref(),
        Some(e.id.as_str())
    );
}

#[test]
fn one_timer_runs_per_technician_starting_another_pauses_it() {
    let (_dir, clock, mut d) = setup(None, 1);
    let a = incident(&mut d, "A");
    let b = incident(&mut d, "B");
    d.start_timer(a, "Dana").expect("start A");
    clock.advance(10);
    d.start_timer(b, "Dana").expect("start B pauses A");
    d.start_timer(b, "Lee")
        .expect("another technician runs their own");
    clock.advance(5);
    let timers = d.timers().expect("timers");
    let view: Vec<_> = timers
        .iter()
        .map(|t| {
            (
                t.timer.incident_id,
                t.timer.technician.as_str(),
                t.running,
                t.worked_minutes,
            )
        })
        .collect();
    assert_eq!(
        view,
        [
            (a, "Dana", false, 10),
            (b, "Dana", true, 5),
            (b, "Lee", true, 5)
        ]
    );
    let stopped = d.stop_timer(a, "Dana").expect("stop").expect("entry");
    assert_eq!(stopped.value.entry.minutes, 10);
}

#[test]
fn rounding_follows_the_increment_from_the_settings() {
    for (increment, want) in [(1, 7), (6, 12), (15, 15)] {
        let (_dir, clock, mut d) = setup(None, increment);
        let id = incident(&mut d, "Rounding");
        d.start_timer(id, "Dana").expect("start");
        clock.advance(7);
        let e = d.stop_timer(id, "Dana").expect("stop").expect("entry");
        assert_eq!(
            e.value.entry.minutes, want,
            "7 minutes at an increment of {increment}"
        );
    }
}

#[test]
fn a_timer_left_running_survives_a_restart_and_past_the_limit_is_held_until_confirmed() {
    let sim = Sim::start();
    let (dir, clock, mut d) = setup(Some(&sim), 1);
    let db = dir.path().join("db.sqlite3");
    let id = incident(&mut d, "Overnight");
    d.acknowledge(id, "Dana").expect("ack");
    drop(d); // the process dies with the timer running
    clock.advance(13 * 60);
    let mut d = desk(&db, &clock, true, 1);
    let status = d.timers().expect("timers");
    assert_eq!(status[0].worked_minutes, 13 * 60, "no time lost");
    assert!(status[0].over_limit);
    let stopped = d.stop_timer(id, "Dana").expect("stop").expect("entry");
    assert!(stopped.value.entry.held_reason.is_some());
    assert!(stopped.queued.is_none(), "not billed silently");
    drain(&db, &sim.url());
    assert!(ticket_of(&sim, &mut d, id).ticket.time_entries.is_empty());
    d.confirm_time(stopped.value.id, Some(8 * 60))
        .expect("confirm");
    drain(&db, &sim.url());
    let entries = ticket_of(&sim, &mut d, id).ticket.time_entries;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].minutes, 8 * 60);
}

#[test]
fn entries_wait_for_a_ticket_and_go_out_once_linked() {
    let sim = Sim::start();
    let (dir, _clock, mut d) = setup(None, 1);
    let db = dir.path().join("db.sqlite3");
    let id = incident(&mut d, "No PSA yet");
    d.acknowledge(id, "Dana").expect("ack");
    let entry = d
        .add_time(
            id,
            &ManualEntry {
                technician: "Dana".into(),
                minutes: 25,
                note: Some("Phone call with the client".into()),
                ..ManualEntry::default()
            },
        )
        .expect("add");
    assert!(entry.queued.is_none());
    assert_eq!(
        d.time_entries(id).expect("entries")[0].sync_state,
        "waiting_for_ticket"
    );
    let ticket = sim.create_ticket_by_hand("acme", "Opened by the service desk");
    d.link(id, &ticket).expect("link");
    drain(&db, &sim.url());
    let entries = sim.ticket(&ticket).ticket.time_entries;
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].minutes, entries[0].note.as_deref()),
        (25, Some("Phone call with the client"))
    );
}

#[test]
fn offline_entries_go_out_once_when_the_psa_returns_even_to_a_ticket_closed_by_hand() {
    let sim = Sim::start();
    let (dir, _clock, mut d) = setup(Some(&sim), 1);
    let db = dir.path().join("db.sqlite3");
    let id = incident(&mut d, "Closed by hand");
    d.acknowledge(id, "Dana").expect("ack");
    d.stop_timer(id, "Dana").expect("stop");
    drain(&db, &sim.url());
    let ticket = ticket_of(&sim, &mut d, id).ticket.id;
    sim.close_by_hand(&ticket);
    for minutes in [10, 20, 30] {
        d.add_time(
            id,
            &ManualEntry {
                technician: "Dana".into(),
                minutes,
                ..ManualEntry::default()
            },
        )
        .expect("add offline");
    }
    // The PSA loses half of its answers: each entry must still land once.
    sim.set_faults(&Faults {
        lose_response_rate: 0.5,
        ..Faults::default()
    });
    let report = drain(&db, &sim.url());
    assert_eq!(report.pending, 0, "{report:?}");
    let t = sim.ticket(&ticket);
    let minutes: Vec<_> = t.ticket.time_entries.iter().map(|e| e.minutes).collect();
    assert_eq!(minutes, [10, 20, 30]);
    assert_eq!(t.ticket.status, psa_sim::TicketStatus::Completed);
}

#[test]
fn corrections_change_an_unsent_entry_and_become_a_correction_note_once_sent() {
    let sim = Sim::start();
    let (dir, _clock, mut d) = setup(Some(&sim), 1);
    let db = dir.path().join("db.sqlite3");
    let id = incident(&mut d, "Corrections");
    d.acknowledge(id, "Dana").expect("ack");
    let add = |d: &mut CoreDesk, minutes| {
        d.add_time(
            id,
            &ManualEntry {
                technician: "Dana".into(),
                minutes,
                ..ManualEntry::default()
            },
        )
        .expect("add")
        .value
        .id
    };
    let keep = add(&mut d, 10);
    let gone = add(&mut d, 99);
    d.edit_time(
        keep,
        &oncall_core::service::EntryChanges {
            minutes: Some(15),
            note: Some("Corrected".into()),
            ..Default::default()
        },
    )
    .expect("edit");
    d.delete_time(gone).expect("delete");
    drain(&db, &sim.url());
    let entries = ticket_of(&sim, &mut d, id).ticket.time_entries;
    let got: Vec<_> = entries
        .iter()
        .map(|e| (e.minutes, e.note.clone()))
        .collect();
    assert_eq!(got, [(15, Some("Corrected".to_owned()))]);
    // Once the PSA has it, a deletion is not made silently here: the entry stays as the PSA
    // has it and a note on the ticket asks for the removal.
    let change = d
        .delete_time(keep)
        .expect("delete becomes a correction")
        .value;
    assert!(!change.changed);
    let note = change.correction.expect("correction note");
    assert!(note.body.contains("should be removed"), "{}", note.body);
    assert_eq!(d.time_entries(id).expect("entries").len(), 1);
    drain(&db, &sim.url());
    let t = ticket_of(&sim, &mut d, id).ticket;
    assert_eq!(t.time_entries.len(), 1);
    assert!(
        t.notes
            .iter()
            .any(|n| n.body.contains("Time correction: time entry")),
        "{:?}",
        t.notes
    );
}

#[test]
fn the_cli_refuses_bad_time_with_a_clear_message_and_logs_good_time() {
    let desk = Desk::new();
    desk.tenant("acme");
    let id = desk.incident("acme", "CLI time", "low");
    for (args, want) in [
        (
            vec!["--minutes", "0"],
            "minutes must be a whole number from 1 to 1440 (got 0)",
        ),
        (vec!["--minutes", "-5"], "(got -5)"),
        (
            vec!["--minutes", "5", "--start", "2099-01-01T00:00:00Z"],
            "cannot start in the future",
        ),
        (
            vec!["--minutes", "5", "--start", "yesterday"],
            "is not a time",
        ),
    ] {
        let mut all = vec!["time", "add", id.as_str(), "--tech", "Dana"];
        all.extend(args);
        let run = desk.run(&all);
        assert!(
            !run.ok && run.stderr.contains(want),
            "{all:?}: {}",
            run.stderr
        );
    }
    let huge = "x".repeat(10_000);
    let run = desk.run(&[
        "time",
        "add",
        &id,
        "--tech",
        "Dana",
        "--minutes",
        "5",
        "--note",
        &huge,
    ]);
    assert!(
        !run.ok && run.stderr.contains("time entry note is 10000 bytes long"),
        "{}",
        run.stderr
    );

    let started = desk.json(&["timer", "start", &id, "--tech", "Dana"]);
    let since = started["running_since"]
        .as_str()
        .expect("running since")
        .to_owned();
    // Each `oncall` run is a process that exits: the running timer lives only in the database.
    let stopped = desk.json(&["timer", "stop", &id, "--tech", "Dana"]);
    let entries = stopped["time_entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0]["started_at"],
        since.as_str(),
        "no time lost between processes"
    );
    let listed = desk.json(&["time", "list", &id]);
    assert_eq!(listed[0]["sync_state"], "waiting_for_ticket");
}

#[test]
fn the_time_settings_turn_auto_start_off_and_set_the_increment() {
    let desk = Desk::new();
    desk.tenant("acme");
    let id = desk.incident("acme", "Settings", "low");
    let bad = desk.run(&["config", "set", "time.increment_minutes", "0"]);
    assert!(
        !bad.ok && bad.stderr.contains("from 1 to 60"),
        "{}",
        bad.stderr
    );
    for (key, value) in [
        ("time.auto_start", "false"),
        ("time.increment_minutes", "15"),
    ] {
        let set = desk.run(&["config", "set", key, value]);
        assert!(set.ok, "{}", set.stderr);
    }
    desk.json(&["ack", &id, "--tech", "Dana"]);
    assert_eq!(
        desk.json(&["timer", "status"]),
        serde_json::json!([]),
        "no timer started"
    );
    desk.json(&["timer", "start", &id, "--tech", "Dana"]);
    let stopped = desk.json(&["timer", "stop", &id, "--tech", "Dana"]);
    assert_eq!(
        stopped["time_entries"][0]["minutes"], 15,
        "a short stretch bills one increment"
    );
}

#[test]
fn acknowledging_with_a_timer_already_running_keeps_it_running() {
    let (_dir, clock, mut d) = setup(None, 1);
    let id = incident(&mut d, "Looked into before the ack");
    d.start_timer(id, "Dana")
        .expect("start while investigating");
    clock.advance(4);
    d.acknowledge(id, "Dana")
        .expect("the acknowledgement is not refused");
    clock.advance(3);
    let timers = d.timers().expect("timers");
    assert_eq!(timers.len(), 1);
    assert!(timers[0].running);
    assert_eq!(timers[0].worked_minutes, 7);
}

/// The id of the incident's newest time entry and of its newest outbox item, from an action's
/// JSON output.
fn newest_ids(acted: &serde_json::Value) -> (i64, i64) {
    let last = |field: &str| {
        acted[field]
            .as_array()
            .and_then(|a| a.last())
            .and_then(|v| v["id"].as_i64())
            .unwrap_or_else(|| panic!("no {field}: {acted:#}"))
    };
    (last("time_entries"), last("outbox"))
}

#[test]
fn a_time_entry_whose_request_was_out_when_sync_was_killed_is_corrected_by_a_note() {
    let sim = Sim::start();
    let desk = Desk::new().psa(&sim);
    desk.tenant("acme");
    let id = desk.incident("acme", "Billing in flight", "low");
    desk.json(&["ack", &id, "--tech", "Dana"]);
    let added = desk.json(&[
        "--no-sync",
        "time",
        "add",
        &id,
        "--tech",
        "Dana",
        "--minutes",
        "30",
    ]);
    let entry = newest_ids(&added).0.to_string();
    sim.set_faults(&Faults {
        latency_ms: 2_000,
        ..Faults::default()
    });
    let before = sim.requests_received();
    let mut sync = desk
        .command(&["sync"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("sync");
    sim.wait_for_request_after(before);
    sync.kill().expect("SIGKILL with the request out");
    sync.wait().expect("reap");

    let shown = desk.run(&["incident", "show", &id]).stdout;
    assert!(
        shown.contains("PSA time entry sent, but the PSA's answer was not recorded"),
        "{shown}"
    );
    for args in [
        vec!["time", "edit", entry.as_str(), "--minutes", "45"],
        vec!["time", "delete", entry.as_str()],
    ] {
        let run = desk.run(&args);
        assert!(run.ok, "{}", run.stderr);
        assert!(
            run.stdout
                .contains(&format!("Time entry {entry} may already be in the PSA")),
            "{args:?}: {}",
            run.stdout
        );
    }
    sim.set_faults(&Faults::default());
    let report = desk.json(&["sync"]);
    assert_eq!(report["pending"], 0, "{report:#}");
    // The entry went out once, as it was; the app shows what the PSA has, and the ticket says
    // what should change.
    let shown = desk.json(&["incident", "show", &id]);
    let ticket = sim
        .ticket(shown["psa_ticket_id"].as_str().expect("ticket"))
        .ticket;
    let minutes: Vec<_> = ticket.time_entries.iter().map(|e| e.minutes).collect();
    assert_eq!(minutes, [30]);
    assert_eq!(shown["time_entries"][0]["minutes"], 30);
    let notes: Vec<_> = ticket.notes.iter().map(|n| n.body.as_str()).collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].contains("should read: 45 min"), "{}", notes[0]);
    assert!(notes[1].contains("should be removed"), "{}", notes[1]);

    // `time confirm --minutes` on an entry the PSA has is a correction too.
    let confirm = desk.run(&["time", "confirm", &entry, "--minutes", "20"]);
    assert!(
        confirm.ok && confirm.stdout.contains("may already be in the PSA"),
        "{}\n{}",
        confirm.stdout,
        confirm.stderr
    );
    assert_eq!(
        desk.json(&["time", "list", &id])[0]["minutes"],
        30,
        "not changed silently"
    );
    let ticket = sim.ticket(&ticket.id).ticket;
    assert!(ticket.notes[2].body.contains("should read: 20 min"));
}

#[test]
fn deleted_time_entries_and_their_writes_never_hand_their_ids_to_newer_ones() {
    let sim = Sim::start();
    let desk = Desk::new().psa(&sim);
    desk.tenant("acme");
    let id = desk.incident("acme", "Ids", "low");
    desk.json(&["ack", &id, "--tech", "Dana"]);
    let add = |minutes: &str| {
        newest_ids(&desk.json(&[
            "--no-sync",
            "time",
            "add",
            &id,
            "--tech",
            "Dana",
            "--minutes",
            minutes,
        ]))
    };
    let (entry, item) = add("10");
    desk.json(&["time", "delete", &entry.to_string()]);
    let (newer_entry, newer_item) = add("12");
    assert_ne!(newer_entry, entry, "time entry id reused");
    assert_ne!(newer_item, item, "outbox id reused");
    desk.json(&["sync"]);
    let shown = desk.json(&["incident", "show", &id]);
    let ticket = sim
        .ticket(shown["psa_ticket_id"].as_str().expect("ticket"))
        .ticket;
    let refs: Vec<_> = ticket
        .time_entries
        .iter()
        .map(|e| (e.minutes, e.external_ref.clone()))
        .collect();
    assert_eq!(refs, [(12, Some(newer_entry.to_string()))]);
}

#[test]
fn the_minutes_shown_before_resolving_can_be_changed_and_zero_bills_nothing() {
    let sim = Sim::start();
    let (dir, clock, mut d) = setup(Some(&sim), 15);
    let db = dir.path().join("db.sqlite3");
    let false_alarm = incident(&mut d, "Ping lost for 30 s on fw-01");
    let real = incident(&mut d, "Disk full on fs-01");
    d.acknowledge(false_alarm, "Dana").expect("ack");
    clock.advance(1);
    // A minute of work would bill a whole 15-minute increment: shown first, then set to 0.
    assert_eq!(
        d.resolve_preview(false_alarm, "Dana")
            .expect("preview")
            .minutes,
        15
    );
    d.resolve_billing(false_alarm, "Dana", Some("false alarm"), Some(0))
        .expect("resolve billing nothing");
    d.acknowledge(real, "Dana").expect("ack");
    clock.advance(40);
    assert_eq!(
        d.resolve_preview(real, "Dana").expect("preview").minutes,
        45
    );
    d.resolve_billing(real, "Dana", Some("cleaned up"), Some(30))
        .expect("resolve billing 30");
    let other = incident(&mut d, "Printer offline");
    assert!(matches!(
        d.resolve_billing(other, "Dana", None, Some(-5)),
        Err(oncall_core::DeskError::Domain(_))
    ));
    drain(&db, &sim.url());

    let alarm = ticket_of(&sim, &mut d, false_alarm).ticket;
    assert!(alarm.time_entries.is_empty(), "a false alarm bills nothing");
    assert_eq!(alarm.status, psa_sim::TicketStatus::Completed);
    let minutes: Vec<u64> = ticket_of(&sim, &mut d, real)
        .ticket
        .time_entries
        .iter()
        .map(|e| e.minutes)
        .collect();
    assert_eq!(minutes, [30], "the minutes set by hand, once");
}
