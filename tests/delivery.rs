//! Delivery that could get stuck or go wrong, through the `oncall` binary over real HTTP: a
//! refused write retried by a person, a ticket linked by hand, a PSA that asks for a very long
//! wait, and answers outside the contract (the last two from a tiny stub server, as psa-sim
//! never answers that way).

use std::{
    process::Stdio,
    time::{Duration, Instant},
};

use oncall_e2e::{Answer, Desk, Sim, Stub};
use serde_json::Value;

fn outbox(desk: &Desk, id: &str) -> Vec<Value> {
    desk.json(&["incident", "show", id])["outbox"]
        .as_array()
        .expect("outbox")
        .clone()
}

#[test]
fn a_refused_write_goes_out_under_a_new_key_once_the_cause_is_fixed_with_what_waited_behind_it() {
    let sim = Sim::start();
    let desk = Desk::new().psa(&sim);
    desk.tenant("initech");
    let id = desk.incident("initech", "Client not yet in the PSA", "high");
    let ack = desk.run(&["ack", &id, "--tech", "Dana"]);
    assert!(
        ack.stdout
            .contains("REFUSED: the PSA refused this tenant (403"),
        "{}",
        ack.stdout
    );
    for n in 0..2 {
        let note = desk.run(&["note", &id, "--author", "Dana", &format!("finding {n}")]);
        assert!(
            note.stdout
                .contains("PSA note waits behind the refused PSA ticket creation"),
            "{}",
            note.stdout
        );
    }
    let still = desk.run(&["sync"]);
    assert!(
        !still.ok && still.stdout.contains("1 refused"),
        "{}",
        still.stdout
    );

    // The PSA administrator grants the key access to the client; the technician retries.
    sim.grant_tenant("initech", "Initech LLC");
    let retried = desk.run(&["sync", "--retry"]);
    assert!(retried.ok, "{}\n{}", retried.stdout, retried.stderr);
    assert!(
        retried
            .stdout
            .contains("Delivered 3 write(s) to the PSA; 0 waiting, 0 refused."),
        "{}",
        retried.stdout
    );
    let tickets = sim.tickets();
    assert_eq!(tickets.len(), 1, "exactly one ticket");
    let t = &tickets[0];
    assert_eq!(t.ticket.company, "Initech LLC");
    let notes: Vec<_> = t.ticket.notes.iter().map(|n| n.body.as_str()).collect();
    assert_eq!(
        notes,
        ["finding 0", "finding 1"],
        "each note once, in order"
    );
    assert_eq!(t.applied_writes, 3);
    assert!(outbox(&desk, &id).iter().all(|o| o["state"] == "done"));
}

#[test]
fn a_link_sends_no_note_queued_before_it() {
    let mut down = Sim::start();
    let dead_url = down.url();
    down.stop();
    let offline = Desk::new()
        .env("PSA_API_URL", &dead_url)
        .env("PSA_SERVICE_KEY", oncall_e2e::KEY);
    offline.tenant("acme");
    let id = offline.incident("acme", "Ticket opened by the service desk", "medium");
    offline.json(&["ack", &id, "--tech", "Dana"]);
    offline.json(&["note", &id, "--author", "Dana", "queued before the link"]);

    let sim = Sim::start();
    let desk = offline.psa(&sim);
    let ticket = sim.create_ticket_by_hand("acme", "Opened by the service desk");
    let link = desk.run(&["link", &id, &ticket]);
    assert!(link.ok, "{}", link.stderr);
    assert!(
        link.stdout
            .contains("1 note(s) queued before the link will not be sent."),
        "{}",
        link.stdout
    );
    assert!(!link.stdout.contains("WARNING"), "{}", link.stdout);
    desk.json(&["note", &id, "--author", "Dana", "written after the link"]);
    let t = sim.ticket(&ticket).ticket;
    let notes: Vec<_> = t.notes.iter().map(|n| n.body.as_str()).collect();
    assert_eq!(notes, ["written after the link"]);
    assert_eq!(sim.tickets().len(), 1, "no ticket created");
    let shown = desk.run(&["incident", "show", &id]).stdout;
    assert!(
        shown.contains("PSA note cancelled: written before PSA ticket")
            && shown.contains("(not sent: written before the ticket was linked)"),
        "{shown}"
    );
}

#[test]
fn linking_over_a_ticket_creation_that_may_have_reached_the_psa_says_so() {
    let sim = Sim::start();
    let desk = Desk::new().psa(&sim);
    desk.tenant("acme");
    // The PSA creates the ticket but its answer never arrives.
    sim.set_faults(&psa_sim::Faults {
        lose_response_rate: 1.0,
        ..psa_sim::Faults::default()
    });
    let id = desk.incident("acme", "Answer lost", "high");
    desk.json(&["ack", &id, "--tech", "Dana"]);
    sim.set_faults(&psa_sim::Faults::default());
    let by_hand = sim.create_ticket_by_hand("acme", "Opened by hand meanwhile");
    let link = desk.run(&["link", &id, &by_hand]);
    assert!(link.ok, "{}", link.stderr);
    let warning = "an earlier attempt may already have created a ticket in the PSA";
    assert!(
        link.stdout.contains(&format!("WARNING: {warning}"))
            && link.stdout.contains("titled 'Answer lost'"),
        "{}",
        link.stdout
    );
    let shown = desk.run(&["incident", "show", &id]).stdout;
    assert!(shown.contains(warning), "{shown}");
    let create = &outbox(&desk, &id)[0];
    assert_eq!(create["state"], "cancelled");
    assert!(
        create["outcome"]
            .as_str()
            .expect("outcome")
            .contains(warning)
    );
    // The orphan the warning is about.
    assert!(
        sim.tickets()
            .iter()
            .any(|t| t.ticket.title == "Answer lost")
    );
}

/// Runs `oncall ARGS` and fails the test if it takes longer than `limit`.
fn run_within(desk: &Desk, args: &[&str], limit: Duration) -> (bool, String, String) {
    let started = Instant::now();
    let mut child = desk
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("oncall starts");
    while child.try_wait().expect("poll").is_none() {
        if started.elapsed() > limit {
            child.kill().expect("kill");
            panic!("`oncall {}` ran past {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn desk_on(url: &str) -> Desk {
    let desk = Desk::new()
        .env("PSA_API_URL", url)
        .env("PSA_SERVICE_KEY", oncall_e2e::KEY);
    desk.tenant("acme");
    desk
}

#[test]
fn a_huge_or_long_retry_after_neither_panics_nor_holds_sync_past_its_timeout() {
    for retry_after in [
        "18446744073709551615",
        "Fri, 01 Jan 2100 00:00:00 GMT",
        "1800",
    ] {
        let header = retry_after.to_owned();
        let stub = Stub::start(move |_, _| Answer {
            status: "429 Too Many Requests",
            headers: vec![("Retry-After", header.clone())],
            body: r#"{"error":"rate_limited"}"#.into(),
        });
        let desk = desk_on(stub.url());
        let ids: Vec<_> = (0..2)
            .map(|n| {
                let id = desk.incident("acme", &format!("Rate limited {n}"), "low");
                desk.json(&["--no-sync", "ack", &id, "--tech", "Dana"]);
                id
            })
            .collect();
        // One incident at a time: the second waits at the gate the first one's 429 closed.
        for _ in 0..2 {
            let (_, stdout, stderr) = run_within(
                &desk,
                &["sync", "--concurrency", "1", "--timeout", "2"],
                Duration::from_secs(15),
            );
            assert!(!stderr.contains("panicked"), "{retry_after}: {stderr}");
            assert!(
                stdout.contains("2 waiting, 0 refused"),
                "{retry_after}: {stdout}"
            );
        }
        let item = &outbox(&desk, &ids[0])[0];
        assert_eq!(item["state"], "pending");
        assert!(
            item["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("rate limiting us (429)")),
            "{item:#}"
        );
        assert!(stub.requests() >= 1);
    }
}

#[test]
fn answers_outside_the_contract_are_refused_with_their_status_not_retried_forever() {
    for (status, code) in [
        ("405 Method Not Allowed", "405"),
        ("410 Gone", "410"),
        ("413 Payload Too Large", "413"),
    ] {
        let stub = Stub::start(move |_, _| Answer::json(status, "{}"));
        let desk = desk_on(stub.url());
        let id = desk.incident("acme", "Odd PSA", "low");
        let ack = desk.run(&["ack", &id, "--tech", "Dana"]);
        assert!(
            ack.stdout.contains(&format!(
                "REFUSED: the PSA will not accept this request ({code}"
            )),
            "{}",
            ack.stdout
        );
        let sync = desk.run(&["sync"]);
        assert!(sync.stdout.contains("1 refused"), "{}", sync.stdout);
        assert_eq!(stub.requests(), 1, "{status}: not retried by itself");
    }
}

#[test]
fn success_answers_missing_what_the_contract_promises_do_not_loop() {
    // Ticket creation works; notes come back 201 without an id; the ticket reads back
    // Completed with a resolution the app cannot read.
    let stub = Stub::start(|method, path| match (method, path) {
        ("POST", "/api/v1/tickets") => Answer::json("201 Created", r#"{"id":"T-7"}"#),
        ("POST", p) if p.ends_with("/notes") => Answer::json("201 Created", "{}"),
        ("POST", p) if p.ends_with("/time-entries") => {
            Answer::json("201 Created", r#"{"id":"TE-1"}"#)
        }
        ("GET", "/api/v1/tickets/T-7") => Answer::json(
            "200 OK",
            r#"{"id":"T-7","status":"Completed","resolution":{"resolved_at":"yesterday"}}"#,
        ),
        _ => Answer::json("500 Internal Server Error", "{}"),
    });
    let desk = desk_on(stub.url());
    let id = desk.incident("acme", "Partial answers", "low");
    desk.json(&["--no-sync", "ack", &id, "--tech", "Dana"]);
    desk.json(&["--no-sync", "note", &id, "--author", "Dana", "a finding"]);
    desk.json(&["--no-sync", "resolve", &id, "--tech", "Dana"]);
    let items = outbox(&desk, &id);
    let kinds: Vec<_> = items
        .iter()
        .map(|o| o["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        kinds,
        ["create_ticket", "add_note", "add_time_entry", "resolve"]
    );
    let sync = desk.run(&["sync", "--timeout", "10"]);
    assert!(sync.ok, "{}\n{}", sync.stdout, sync.stderr);
    let items = outbox(&desk, &id);
    assert!(items.iter().all(|o| o["state"] == "done"), "{items:#?}");
    assert!(
        items[1]["outcome"]
            .as_str()
            .is_some_and(|o| o.contains("the PSA's answer named no note id")),
        "{:#}",
        items[1]
    );
    assert!(
        items[3]["outcome"]
            .as_str()
            .is_some_and(|o| o.contains("already closed in the PSA; no duplicate action")),
        "{:#}",
        items[3]
    );
}

#[test]
fn a_created_ticket_whose_answer_has_no_id_is_refused_with_what_to_do() {
    let stub = Stub::start(|_, _| Answer::json("201 Created", r#"{"status":"New"}"#));
    let desk = desk_on(stub.url());
    let id = desk.incident("acme", "No id", "low");
    let ack = desk.run(&["ack", &id, "--tech", "Dana"]);
    assert!(
        ack.stdout
            .contains("REFUSED: the PSA accepted the request but its answer lacks")
            && ack
                .stdout
                .contains("find it in the PSA and link it to the incident")
            && ack.stdout.contains("with `oncall link`"),
        "{}",
        ack.stdout
    );
    assert_eq!(stub.requests(), 1, "not sent again by itself");
}

#[test]
fn sync_keeps_its_timeout_with_a_request_out_and_says_the_psa_may_have_it() {
    let sim = Sim::start();
    let desk = Desk::new().psa(&sim);
    desk.tenant("acme");
    let id = desk.incident("acme", "Slow PSA", "low");
    desk.json(&["--no-sync", "ack", &id, "--tech", "Dana"]);
    sim.set_faults(&psa_sim::Faults {
        latency_ms: 8_000,
        ..psa_sim::Faults::default()
    });
    let (_, stdout, _) = run_within(&desk, &["sync", "--timeout", "1"], Duration::from_secs(5));
    assert!(stdout.contains("1 waiting"), "{stdout}");
    let shown = desk.run(&["incident", "show", &id]).stdout;
    assert!(
        shown.contains("PSA ticket creation sent, but the PSA's answer was not recorded"),
        "{shown}"
    );
    sim.set_faults(&psa_sim::Faults::default());
    assert_eq!(desk.json(&["sync"])["delivered"], 1);
    assert_eq!(sim.tickets().len(), 1);
}
