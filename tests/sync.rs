//! PSA sync through the `oncall` binary against psa-sim over loopback.

use oncall_e2e::{Desk, Sim};
use serde_json::Value;

fn ticket_id(shown: &Value) -> String {
    shown["psa_ticket_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no PSA ticket: {shown:#}"))
        .to_owned()
}

#[test]
fn the_lifecycle_lands_in_the_psa_field_by_field_for_several_tenants() {
    let sim = Sim::start();
    let desk = Desk::new().psa(&sim);
    desk.tenant("acme");
    desk.tenant("globex");
    let cases = [
        ("acme", "critical", "P1", "RMM"),
        ("globex", "high", "P2", "Defend"),
        ("acme", "medium", "P3", "RMM"),
        ("globex", "low", "P4", "Backup"),
    ];
    for (n, (tenant, severity, priority, product)) in cases.into_iter().enumerate() {
        let title = format!("Incident {n} on server-{n}");
        let mut args = vec![
            "incident",
            "new",
            "--tenant",
            tenant,
            "--title",
            &title,
            "--severity",
            severity,
            "--description",
            "Seen by the monitor",
            "--source",
            "CPU check",
            "--product",
            product,
        ];
        if product == "Defend" {
            args.extend([
                "--device",
                "FIN-LAPTOP-7",
                "--hostname",
                "fin-laptop-7.globex.local",
                "--mitre-id",
                "T1059.001",
                "--mitre-name",
                "PowerShell",
                "--action",
                "Isolate the device",
            ]);
        }
        let created = desk.json(&args);
        let id = created["id"].to_string();
        desk.json(&["note", &id, "--author", "Dana", "before ack: stays local"]);
        let acked = desk.json(&["ack", &id, "--tech", "Dana"]);
        let ticket = ticket_id(&acked);
        desk.json(&["note", &id, "--author", "Dana", "first finding"]);
        desk.json(&[
            "note",
            &id,
            "--author",
            "Lee",
            "second finding\nwith two lines",
        ]);
        let resolved = desk.json(&["resolve", &id, "--tech", "Lee", "--summary", "Fixed it"]);

        let t = sim.ticket(&ticket).ticket;
        assert_eq!(t.title, title);
        assert!(
            t.description
                .starts_with("Seen by the monitor\n\nAlert source: CPU check\n")
        );
        assert!(
            t.description
                .contains(&format!("Triggering product: {product}"))
        );
        assert_eq!(
            t.description
                .contains("MITRE technique: T1059.001 PowerShell"),
            product == "Defend"
        );
        if product == "Defend" {
            for line in [
                "Device name: FIN-LAPTOP-7",
                "Hostname: fin-laptop-7.globex.local",
                "Recommended action: Isolate the device",
            ] {
                assert!(t.description.contains(line), "{line} in {}", t.description);
            }
        }
        assert_eq!(t.source, "On-Call Auto");
        assert_eq!(t.priority, priority);
        assert_eq!(t.tenant_id, tenant);
        assert_eq!(
            t.company,
            if tenant == "acme" {
                "ACME Corp"
            } else {
                "Globex Inc"
            }
        );
        assert_eq!(t.org_id, Some(Value::from(format!("org-{tenant}"))));
        assert_eq!(t.assigned_tech.as_deref(), Some("Dana"));
        let created_at: jiff::Timestamp = t.created_at.parse().expect("RFC 3339");
        assert_eq!(
            created_at.to_string(),
            created["created_at"].as_str().expect("created_at")
        );
        assert_eq!(t.external_ref.as_deref(), Some(id.as_str()));
        let notes: Vec<_> = t
            .notes
            .iter()
            .map(|n| (n.author.as_str(), n.body.as_str(), n.internal))
            .collect();
        assert_eq!(
            notes,
            [
                ("Dana", "first finding", true),
                ("Lee", "second finding\nwith two lines", true)
            ]
        );
        assert_eq!(t.status, psa_sim::TicketStatus::Completed);
        let r = t.resolution.expect("resolution");
        assert_eq!(
            (r.resolved_by.as_str(), r.summary.as_deref()),
            ("Lee", Some("Fixed it"))
        );
        let resolved_at: jiff::Timestamp = r.resolved_at.parse().expect("RFC 3339");
        assert_eq!(
            resolved_at.to_string(),
            resolved["resolved_at"].as_str().expect("resolved_at")
        );

        let shown = desk.json(&["incident", "show", &id]);
        assert!(
            shown["outbox"]
                .as_array()
                .expect("outbox")
                .iter()
                .all(|o| o["state"] == "done")
        );
        assert_eq!(shown["notes"][0]["psa_note_id"], Value::Null);
        assert_eq!(
            shown["notes"][1]["psa_note_id"].as_str(),
            Some(t.notes[0].id.as_str())
        );
    }
    assert_eq!(sim.tickets().len(), 4, "one ticket per incident");
}

#[test]
fn a_ticket_closed_by_hand_gets_no_second_resolution() {
    let sim = Sim::start();
    let desk = Desk::new().psa(&sim);
    desk.tenant("acme");
    let id = desk.incident("acme", "Closed elsewhere", "low");
    let ticket = ticket_id(&desk.json(&["ack", &id, "--tech", "Dana"]));
    sim.close_by_hand(&ticket);
    let before = sim.ticket(&ticket);
    let run = desk.run(&["resolve", &id, "--tech", "Dana", "--summary", "done"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("already closed in the PSA; no duplicate action"),
        "{}",
        run.stdout
    );
    let after = sim.ticket(&ticket);
    assert_eq!(after.ticket.resolution, None);
    // The only write applied is the time the acknowledgement's timer logged: a closed ticket
    // still takes time, and gets no resolution.
    assert_eq!(after.ticket.time_entries.len(), 1);
    assert_eq!(after.applied_writes, before.applied_writes + 1);
    assert_eq!(desk.json(&["incident", "show", &id])["status"], "resolved");
}

#[test]
fn a_wrong_key_refuses_the_write_with_a_clear_reason_and_no_retry_storm() {
    let sim = Sim::start();
    let desk = Desk::new().psa(&sim).env("PSA_SERVICE_KEY", "wrong-key");
    desk.tenant("acme");
    let id = desk.incident("acme", "Wrong key", "high");
    let ack = desk.run(&["ack", &id, "--tech", "Dana"]);
    assert!(
        ack.ok,
        "the acknowledgement itself is saved: {}",
        ack.stderr
    );
    assert!(
        ack.stdout
            .contains("REFUSED: the PSA refused the service key (401)"),
        "{}",
        ack.stdout
    );
    for _ in 0..3 {
        let sync = desk.run(&["sync"]);
        assert!(!sync.ok);
        assert!(sync.stdout.contains("1 refused"), "{}", sync.stdout);
    }
    let item = &desk.json(&["incident", "show", &id])["outbox"][0];
    assert_eq!(item["state"], "refused");
    assert_eq!(
        item["attempts"], 1,
        "a refused write is not retried by itself"
    );
    assert!(sim.tickets().is_empty());

    // The technician fixes the key and retries by hand.
    let good = desk
        .command(&["sync", "--retry", "--json"])
        .env("PSA_SERVICE_KEY", oncall_e2e::KEY)
        .output()
        .expect("run");
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert_eq!(sim.tickets().len(), 1);
    assert_eq!(
        desk.json(&["incident", "show", &id])["outbox"][0]["state"],
        "done"
    );
}

#[test]
fn a_tenant_the_psa_does_not_know_is_refused_with_the_tenant_named() {
    let sim = Sim::start();
    let desk = Desk::new().psa(&sim);
    desk.tenant("initech");
    let id = desk.incident("initech", "Unknown to the PSA", "low");
    let ack = desk.run(&["ack", &id, "--tech", "Dana"]);
    assert!(ack.ok);
    assert!(
        ack.stdout.contains("refused this tenant (403"),
        "{}",
        ack.stdout
    );
    assert!(sim.tickets().is_empty());
}

#[test]
fn offline_everything_is_saved_and_goes_out_once_when_the_psa_returns() {
    let mut sim = Sim::start();
    let url = sim.url();
    sim.stop();
    let desk = Desk::new()
        .env("PSA_API_URL", &url)
        .env("PSA_SERVICE_KEY", oncall_e2e::KEY);
    desk.tenant("acme");
    let id = desk.incident("acme", "Offline work", "critical");
    let ack = desk.run(&["ack", &id, "--tech", "Dana"]);
    assert!(ack.ok, "{}", ack.stderr);
    assert!(
        ack.stdout.contains("PSA ticket creation queued"),
        "{}",
        ack.stdout
    );
    for n in 0..3 {
        desk.json(&[
            "note",
            &id,
            "--author",
            "Dana",
            &format!("offline note {n}"),
        ]);
    }
    desk.json(&["resolve", &id, "--tech", "Dana"]);
    let shown = desk.json(&["incident", "show", &id]);
    // Ticket, three notes, the timer's time entry, the resolution.
    assert_eq!(shown["outbox"].as_array().map(Vec::len), Some(6));
    assert!(
        shown["outbox"]
            .as_array()
            .expect("outbox")
            .iter()
            .all(|o| o["state"] == "pending")
    );

    // The PSA comes back (a new simulator on another port).
    let sim = Sim::start();
    let report = desk
        .command(&["sync", "--json"])
        .env("PSA_API_URL", sim.url())
        .output()
        .expect("sync");
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let report: Value = serde_json::from_slice(&report.stdout).expect("json");
    assert_eq!(report["delivered"], 6);
    assert_eq!(report["pending"], 0);
    let tickets = sim.tickets();
    assert_eq!(tickets.len(), 1);
    let bodies: Vec<_> = tickets[0]
        .ticket
        .notes
        .iter()
        .map(|n| n.body.clone())
        .collect();
    assert_eq!(
        bodies,
        ["offline note 0", "offline note 1", "offline note 2"]
    );
    assert!(tickets[0].ticket.resolution.is_some());
}

#[test]
fn a_manual_link_sends_later_notes_and_the_resolution_to_the_linked_ticket() {
    let sim = Sim::start();
    let unconfigured = Desk::new();
    unconfigured.tenant("acme");
    let id = unconfigured.incident("acme", "Linked by hand", "medium");
    unconfigured.json(&["ack", &id, "--tech", "Dana"]);
    unconfigured.json(&["note", &id, "--author", "Dana", "written before the link"]);
    let ticket = sim.create_ticket_by_hand("acme", "Opened by the service desk");
    let desk = unconfigured.psa(&sim);
    desk.json(&["link", &id, &ticket]);
    desk.json(&["note", &id, "--author", "Dana", "written after the link"]);
    desk.json(&["resolve", &id, "--tech", "Dana", "--summary", "done"]);
    let t = sim.ticket(&ticket).ticket;
    let bodies: Vec<_> = t.notes.iter().map(|n| n.body.as_str()).collect();
    assert_eq!(bodies, ["written after the link"]);
    assert_eq!(
        t.resolution.expect("resolved").summary.as_deref(),
        Some("done")
    );
    assert_eq!(
        sim.tickets().len(),
        1,
        "no ticket created for a linked incident"
    );
}

#[test]
fn sync_and_psa_check_explain_an_unconfigured_or_wrong_psa() {
    let desk = Desk::new();
    let sync = desk.run(&["sync"]);
    assert!(!sync.ok);
    assert!(
        sync.stderr
            .contains("the PSA is not configured: set PSA_API_URL and PSA_SERVICE_KEY"),
        "{}",
        sync.stderr
    );
    let bad_url = Desk::new()
        .env("PSA_API_URL", "http://psa.example.com")
        .env("PSA_SERVICE_KEY", "k");
    let check = bad_url.run(&["psa", "check"]);
    assert!(!check.ok);
    assert!(
        check.stderr.contains("must use https://"),
        "{}",
        check.stderr
    );

    let sim = Sim::start();
    let ok = Desk::new().psa(&sim).run(&["psa", "check"]);
    assert!(ok.ok, "{}", ok.stderr);
    assert!(
        ok.stdout.contains("accepts the key for 2 tenant(s)"),
        "{}",
        ok.stdout
    );
    let wrong = Desk::new()
        .psa(&sim)
        .env("PSA_SERVICE_KEY", "nope")
        .run(&["psa", "check"]);
    assert!(!wrong.ok);
    assert!(
        wrong.stdout.contains("refused the service key (401)")
            && wrong.stdout.contains("\nfix: ")
            && wrong.stdout.contains("`oncall login psa`"),
        "{}",
        wrong.stdout
    );
}

#[test]
fn sync_watch_delivers_writes_queued_by_other_processes_until_stopped() {
    let sim = Sim::start();
    let desk = Desk::new().psa(&sim);
    desk.tenant("acme");
    let mut watch = desk
        .command(&["sync", "--watch"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("watch");
    let id = desk.incident("acme", "Watched", "high");
    desk.json(&["--no-sync", "ack", &id, "--tech", "Dana"]);
    desk.json(&[
        "--no-sync",
        "note",
        &id,
        "--author",
        "Dana",
        "queued while watched",
    ]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let delivered = loop {
        let shown = desk.json(&["incident", "show", &id]);
        let outbox = shown["outbox"].as_array().expect("outbox").clone();
        if outbox.iter().all(|o| o["state"] == "done") {
            break shown;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the watcher did not deliver: {shown:#}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    watch.kill().expect("stop the watcher");
    watch.wait().expect("reap");
    let t = sim.ticket(&ticket_id(&delivered)).ticket;
    assert_eq!(t.notes.len(), 1);
    assert_eq!(t.notes[0].body, "queued while watched");
}

#[test]
fn linking_sends_the_time_that_waited_for_a_ticket_right_away() {
    let sim = Sim::start();
    let unconfigured = Desk::new();
    unconfigured.tenant("acme");
    let id = unconfigured.incident("acme", "Time before the ticket", "low");
    unconfigured.json(&["time", "add", &id, "--tech", "Dana", "--minutes", "12"]);
    let ticket = sim.create_ticket_by_hand("acme", "Opened by hand");
    let desk = unconfigured.psa(&sim);
    let linked = desk.json(&["link", &id, &ticket]);
    assert_eq!(
        linked["time_entries"][0]["sync_state"], "done",
        "{linked:#}"
    );
    let entries = sim.ticket(&ticket).ticket.time_entries;
    assert_eq!(entries.iter().map(|e| e.minutes).collect::<Vec<_>>(), [12]);
}

#[test]
fn an_action_retries_at_once_what_was_backing_off_when_the_psa_is_back() {
    let mut down = Sim::start();
    let dead_url = down.url();
    down.stop();
    let offline = Desk::new()
        .env("PSA_API_URL", &dead_url)
        .env("PSA_SERVICE_KEY", oncall_e2e::KEY);
    offline.tenant("acme");
    let id = offline.incident("acme", "Back online", "high");
    offline.json(&["ack", &id, "--tech", "Dana"]);
    // Each action tries again; the ticket creation's backoff grows to several seconds.
    for n in 0..5 {
        offline.json(&["note", &id, "--author", "Dana", &format!("offline {n}")]);
    }
    let shown = offline.json(&["incident", "show", &id]);
    let create = &shown["outbox"][0];
    assert_eq!(create["attempts"], 6, "{create:#}");
    let next: jiff::Timestamp = create["next_attempt_at"]
        .as_str()
        .expect("backing off")
        .parse()
        .expect("time");
    assert!(
        next > jiff::Timestamp::now() + jiff::SignedDuration::from_secs(3),
        "{create:#}"
    );

    let sim = Sim::start();
    let online = offline.psa(&sim);
    let noted = online.json(&["note", &id, "--author", "Dana", "back online"]);
    assert!(
        noted["psa_ticket_id"].is_string(),
        "sent at once: {noted:#}"
    );
    let t = sim.ticket(&ticket_id(&noted)).ticket;
    assert_eq!(t.notes.len(), 6);
    assert_eq!(t.notes[5].body, "back online");
}

#[test]
fn a_garbled_psa_answer_is_explained_and_the_write_goes_out_once_later() {
    let sim = Sim::start();
    sim.set_faults(&psa_sim::Faults {
        garble_rate: 1.0,
        ..psa_sim::Faults::default()
    });
    let desk = Desk::new().psa(&sim);
    desk.tenant("acme");
    let id = desk.incident("acme", "Behind a bad proxy", "medium");
    let ack = desk.run(&["ack", &id, "--tech", "Dana"]);
    assert!(ack.ok, "{}", ack.stderr);
    assert!(
        ack.stdout
            .contains("queued: the PSA's answer could not be understood"),
        "{}",
        ack.stdout
    );
    assert_eq!(
        desk.json(&["incident", "show", &id])["outbox"][0]["state"],
        "pending"
    );
    sim.set_faults(&psa_sim::Faults::default());
    let report = desk.json(&["sync", "--backoff-ms", "1"]);
    assert_eq!(report["delivered"], 1, "{report:#}");
    assert_eq!(sim.tickets().len(), 1);
}

#[test]
fn status_names_the_psa_the_waiting_and_refused_writes_and_the_timers() {
    let sim = Sim::start();
    let desk = Desk::new().psa(&sim);
    desk.tenant("acme");
    desk.tenant("initech");
    let ok = desk.incident("acme", "Fine", "low");
    let refused = desk.incident("initech", "Unknown tenant", "low");
    desk.json(&["ack", &ok, "--tech", "Dana"]);
    desk.json(&["ack", &refused, "--tech", "Dana"]);
    let status = desk.json(&["status"]);
    assert_eq!(status["psa"], format!("The One PSA at {}/", sim.url()));
    assert_eq!(status["sync"]["refused"], 1);
    assert_eq!(status["sync"]["done"], 1);
    assert_eq!(
        status["sync"]["refused_writes"][0]["incident_id"].to_string(),
        refused
    );
    assert_eq!(status["timers"].as_array().map(Vec::len), Some(2));
    let text = desk.run(&["status"]).stdout;
    assert!(
        text.contains("Writes: 0 waiting, 1 refused, 1 delivered."),
        "{text}"
    );
    assert!(text.contains("the PSA refused this tenant (403"), "{text}");
    assert!(text.contains("Timers: 1 running, 1 paused."), "{text}");
}
