//! The incident lifecycle through the `oncall` binary, and the PSA writes it queues.

use oncall_e2e::Desk;

fn configured() -> Desk {
    // The outbox only fills here: nothing listens at this address during these tests.
    Desk::new()
        .env("PSA_API_URL", "http://127.0.0.1:9")
        .env("PSA_SERVICE_KEY", "test-key")
}

#[test]
fn a_configured_psa_gets_ticket_then_notes_after_ack_then_resolution_in_order() {
    let desk = configured();
    desk.tenant("acme");
    let id = desk.incident("acme", "CPU critical on client-server-01", "critical");
    desk.json(&["note", &id, "--author", "Dana", "Looked before acking"]);
    assert!(
        desk.outbox_kinds(&id).is_empty(),
        "notes before ack stay local"
    );

    desk.json(&["ack", &id, "--tech", "Dana"]);
    desk.json(&[
        "note",
        &id,
        "--author",
        "Dana",
        "Event log shows a runaway process",
    ]);
    desk.json(&["note", &id, "--author", "Lee", "Killed it"]);
    desk.json(&[
        "resolve",
        &id,
        "--tech",
        "Lee",
        "--summary",
        "Process killed",
    ]);

    // The acknowledgement started Dana's timer; resolving stopped it into a time entry.
    assert_eq!(
        desk.outbox_kinds(&id),
        [
            "create_ticket",
            "add_note",
            "add_note",
            "add_time_entry",
            "resolve"
        ]
    );
    let shown = desk.json(&["incident", "show", &id]);
    assert_eq!(shown["status"], "resolved");
    assert_eq!(shown["acknowledged_by"], "Dana");
    assert_eq!(shown["resolved_by"], "Lee");
    assert_eq!(shown["resolution_summary"], "Process killed");
    assert_eq!(shown["psa_ticket_id"], serde_json::Value::Null);
    let notes = shown["notes"].as_array().expect("notes");
    assert_eq!(notes.len(), 3);
    assert_eq!(notes[0]["after_ack"], false);
    assert_eq!(notes[1]["body"], "Event log shows a runaway process");
    let outbox = shown["outbox"].as_array().expect("outbox");
    assert_eq!(outbox[1]["note_id"], notes[1]["id"]);
    assert_eq!(outbox[2]["note_id"], notes[2]["id"]);
    assert!(outbox.iter().all(|o| o["state"] == "pending"));
    let mut keys: Vec<_> = outbox
        .iter()
        .map(|o| o["idempotency_key"].to_string())
        .collect();
    keys.dedup();
    assert_eq!(keys.len(), 5, "each write has its own idempotency key");
}

#[test]
fn without_a_psa_acknowledging_works_and_nothing_is_queued() {
    let desk = Desk::new();
    desk.tenant("acme");
    let id = desk.incident("acme", "Disk full", "high");
    let ack = desk.run(&["ack", &id, "--tech", "Dana"]);
    assert!(ack.ok, "{}", ack.stderr);
    assert!(ack.stdout.contains("PSA not configured"), "{}", ack.stdout);
    desk.json(&["note", &id, "--author", "Dana", "Cleared temp files"]);
    desk.json(&["resolve", &id, "--tech", "Dana"]);
    assert!(desk.outbox_kinds(&id).is_empty());
    let shown = desk.json(&["incident", "show", &id]);
    assert_eq!(shown["status"], "resolved");
    assert_eq!(shown["psa_ticket_id"], serde_json::Value::Null);
}

#[test]
fn a_manual_link_syncs_later_notes_and_the_resolution_but_nothing_earlier() {
    let desk = Desk::new();
    desk.tenant("acme");
    let id = desk.incident("acme", "VPN down", "medium");
    desk.json(&["ack", &id, "--tech", "Dana"]);
    desk.json(&["note", &id, "--author", "Dana", "Before the link"]);
    let linked = desk.json(&["link", &id, "T-4242"]);
    assert_eq!(linked["psa_ticket_id"], "T-4242");
    desk.json(&["note", &id, "--author", "Dana", "After the link"]);
    desk.json(&["resolve", &id, "--tech", "Dana"]);
    assert_eq!(
        desk.outbox_kinds(&id),
        ["add_note", "add_time_entry", "resolve"],
        "the later note, the timer's entry, the resolution"
    );
    let shown = desk.json(&["incident", "show", &id]);
    assert_eq!(shown["outbox"][0]["note_id"], shown["notes"][1]["id"]);
}

#[test]
fn linking_cancels_a_ticket_creation_still_waiting() {
    let desk = configured();
    desk.tenant("acme");
    let id = desk.incident("acme", "Backup failed", "low");
    desk.json(&["ack", &id, "--tech", "Dana"]);
    desk.json(&["link", &id, "T-1"]);
    let shown = desk.json(&["incident", "show", &id]);
    assert_eq!(shown["outbox"][0]["kind"], "create_ticket");
    assert_eq!(shown["outbox"][0]["state"], "cancelled");
    let again = desk.run(&["link", &id, "T-2"]);
    assert!(!again.ok);
    assert!(
        again.stderr.contains("already linked to PSA ticket T-1"),
        "{}",
        again.stderr
    );
}

#[test]
fn defend_fields_are_stored_and_shown() {
    let desk = Desk::new();
    desk.tenant("acme");
    let v = desk.json(&[
        "incident",
        "new",
        "--tenant",
        "acme",
        "--title",
        "Suspicious PowerShell",
        "--severity",
        "high",
        "--product",
        "Defend",
        "--source",
        "EDR",
        "--device",
        "FIN-LAPTOP-7",
        "--hostname",
        "fin-laptop-7.acme.local",
        "--mitre-id",
        "T1059.001",
        "--mitre-name",
        "PowerShell",
        "--action",
        "Isolate the device",
    ]);
    let shown = desk.json(&["incident", "show", &v["id"].to_string()]);
    for (field, want) in [
        ("product", "Defend"),
        ("alert_source", "EDR"),
        ("device_name", "FIN-LAPTOP-7"),
        ("hostname", "fin-laptop-7.acme.local"),
        ("mitre_technique_id", "T1059.001"),
        ("mitre_technique_name", "PowerShell"),
        ("recommended_action", "Isolate the device"),
    ] {
        assert_eq!(shown[field], want, "{field}");
    }
}

#[test]
fn lists_filter_by_status_and_tenant() {
    let desk = Desk::new();
    desk.tenant("acme");
    desk.tenant("globex");
    let a = desk.incident("acme", "A", "low");
    desk.incident("globex", "B", "low");
    desk.json(&["ack", &a, "--tech", "Dana"]);
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["incident", "list"];
        all.extend_from_slice(args);
        desk.json(&all)
            .as_array()
            .expect("array")
            .iter()
            .map(|i| i["title"].as_str().expect("title").to_owned())
            .collect()
    };
    assert_eq!(ids(&[]), ["B", "A"]);
    assert_eq!(ids(&["--status", "acknowledged"]), ["A"]);
    assert_eq!(ids(&["--tenant", "globex"]), ["B"]);
    assert_eq!(
        ids(&["--status", "new", "--tenant", "acme"]),
        Vec::<String>::new()
    );
    let bad = desk.run(&["incident", "list", "--status", "open"]);
    assert!(
        !bad.ok && bad.stderr.contains("unknown status 'open'"),
        "{}",
        bad.stderr
    );
}

#[test]
fn the_demo_runs_the_whole_loop_against_the_built_in_simulator() {
    let desk = Desk::new();
    let data = desk.dir().join("data");
    let run = desk
        .command(&["demo"])
        .env("XDG_DATA_HOME", &data)
        .output()
        .expect("demo");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for line in [
        "The sync engine delivered 6 writes to the PSA.",
        "P1 | ACME Corp | source On-Call Auto | assigned to Dana",
        "internal note by Dana: A backup job is pinning the CPU; rescheduling it.",
        "time: 18 min Remote Support by Dana",
        "resolved by Dana: Backup moved to 02:00; CPU back to normal.",
        "P1 | Globex Inc | source On-Call Auto | assigned to Lee",
        "| MITRE technique: T1059.001 PowerShell",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    assert!(data.join("oncall-desk/demo/demo.sqlite3").exists());
}
