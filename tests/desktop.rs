//! The real desktop app (release build, built UI) in WebKit under Xvfb, driven through
//! tauri-driver, talking to psa-sim over loopback: what a technician sees and what reaches the
//! PSA. Runs with `ONCALL_DESKTOP_E2E=1` (scripts/test); skips with a reason otherwise.

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use oncall_e2e::{
    Desk, KEY, Sim,
    desktop::{App, Desktop, free_port, workspace_root},
    webdriver::{WAIT, key, testid},
};
use psa_sim::{SimConfig, TicketStatus};
use serde_json::json;

/// The desktop to run on, or `None` (with the reason printed) when desktop tests are off.
fn desktop() -> Option<Desktop> {
    oncall_e2e::desktop::enabled().then(Desktop::start)
}

/// A desk on `sim` with tenant `acme` and technician Dana.
fn desk_on(sim: &Sim) -> Desk {
    let desk = Desk::new().psa(sim);
    desk.tenant("acme");
    technician(&desk, "Dana");
    desk
}

fn technician(desk: &Desk, name: &str) {
    let set = desk.run(&["config", "set", "technician", name]);
    assert!(set.ok, "config set technician: {}", set.stderr);
}

/// The test ids of every element whose test id starts with `prefix`, in page order.
fn testids(app: &App, prefix: &str) -> Vec<String> {
    app.wd
        .script(
            "return [...document.querySelectorAll(`[data-testid^=\"${arguments[0]}\"]`)]\
             .map(e => e.dataset.testid);",
            json!([prefix]),
        )
        .as_array()
        .expect("ids")
        .iter()
        .map(|v| v.as_str().expect("id").to_owned())
        .collect()
}

/// Opens incident `id` from the list and waits for its detail.
fn open(app: &App, id: &str, title: &str) {
    app.wd.click(&format!("incident-row-{id}"));
    app.wd.wait_text("detail-title", title);
}

/// Posts a note through the note box; returns the note's test id once it shows.
fn post_note(app: &App, body: &str) -> String {
    let before = note_ids(app);
    app.wd.type_into("note-input", body);
    app.wd.click("note-post");
    app.wd.wait_for("the posted note", WAIT, || {
        note_ids(app).into_iter().find(|n| !before.contains(n))
    })
}

fn note_ids(app: &App) -> Vec<String> {
    testids(app, "note-")
        .into_iter()
        .filter(|t| t["note-".len()..].parse::<u64>().is_ok())
        .collect()
}

/// Waits until the PSA holds what `done` looks for, then returns the only ticket.
fn wait_ticket(
    sim: &Sim,
    what: &str,
    done: impl Fn(&psa_sim::SimTicket) -> bool,
) -> psa_sim::SimTicket {
    let deadline = Instant::now() + WAIT;
    loop {
        let tickets = sim.tickets();
        if let [t] = tickets.as_slice()
            && done(t)
        {
            return t.clone();
        }
        assert!(
            Instant::now() < deadline,
            "PSA never showed {what}: {tickets:#?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The ticket is Completed, resolved by Dana with `summary`.
fn assert_resolved_by_dana(t: &psa_sim::SimTicket, summary: &str) {
    let resolution = t.ticket.resolution.as_ref().expect("resolution");
    assert_eq!(resolution.summary.as_deref(), Some(summary));
    assert_eq!(resolution.resolved_by, "Dana");
    assert_eq!(t.ticket.status, TicketStatus::Completed);
}

/// Saves a README screenshot of what the app shows now.
fn screenshot(app: &App, name: &str) {
    app.wd
        .screenshot(&workspace_root().join("docs/screenshots").join(name));
}

#[test]
fn an_incident_from_new_to_resolved_reaches_the_psa_once() {
    let Some(desktop) = desktop() else { return };
    let sim = Sim::start();
    let desk = desk_on(&sim);
    let app = desktop.launch(&desk);
    let wd = &app.wd;
    wd.wait_text("status-psa", "online");

    let title = "CPU critical on client-server-01";
    wd.click("new-incident");
    wd.select("ni-tenant", "acme");
    wd.select("ni-severity", "critical");
    wd.type_into("ni-title", title);
    wd.type_into("ni-description", "CPU at 100% for 15 minutes.");
    wd.type_into("ni-source", "N-central");
    wd.type_into("ni-product", "RMM");
    wd.click("ni-submit");
    wd.wait_text("detail-title", title);
    let created = desk.json(&["incident", "list"]);
    let created_at: jiff::Timestamp = created[0]["created_at"]
        .as_str()
        .expect("created_at")
        .parse()
        .expect("a timestamp");

    wd.click("ack");
    let ticket_id = wd.wait_for("the PSA ticket id", WAIT, || {
        let t = wd.text("psa-ticket-id");
        t.starts_with("T-").then_some(t)
    });
    let t = wait_ticket(&sim, "the ticket", |t| t.ticket.id == ticket_id);
    assert_eq!(t.ticket.title, title);
    for part in ["CPU at 100% for 15 minutes.", "N-central", "RMM"] {
        assert!(
            t.ticket.description.contains(part),
            "{part} not in {:?}",
            t.ticket.description
        );
    }
    assert_eq!(t.ticket.source, "On-Call Auto");
    assert_eq!(t.ticket.priority, "P1", "critical is P1");
    assert_eq!(t.ticket.tenant_id, "acme");
    assert_eq!(t.ticket.company, "ACME Corp");
    assert_eq!(t.ticket.assigned_tech.as_deref(), Some("Dana"));
    assert_eq!(
        t.ticket.created_at.parse::<jiff::Timestamp>().ok(),
        Some(created_at),
        "the incident's creation time"
    );

    let first = post_note(&app, "Event log shows a runaway process");
    let second = post_note(&app, "Killed it; CPU back to 5%");
    for note in [&first, &second] {
        wd.wait_text(&note.replace("note-", "note-sync-"), "in PSA");
    }

    // Acknowledging may start the timer already (a setting); otherwise start it.
    if !wd.text("timer-toggle").starts_with("Pause") {
        wd.click("timer-toggle");
    }
    wd.wait_until("the timer to run", WAIT, || {
        wd.text("timer-toggle").starts_with("Pause")
    });
    wd.click("timer-stop");
    let entry = wd.wait_for("the time entry", WAIT, || {
        testids(&app, "time-entry-").into_iter().next()
    });
    let minutes: u64 = wd
        .text(&entry.replace("time-entry-", "time-minutes-"))
        .trim_end_matches(" min")
        .parse()
        .expect("minutes");

    wd.click("resolve");
    wd.type_into("resolve-summary", "Runaway process killed");
    // The timer's time is logged already: the dialog proposes nothing more.
    wd.wait_until("the resolve preview", WAIT, || {
        wd.value("resolve-minutes") == "0"
    });
    wd.click("resolve-submit");
    wd.wait_text("status-waiting", "0");

    let t = wait_ticket(&sim, "the resolution", |t| t.ticket.resolution.is_some());
    let notes: Vec<&str> = t.ticket.notes.iter().map(|n| n.body.as_str()).collect();
    assert_eq!(
        notes,
        [
            "Event log shows a runaway process",
            "Killed it; CPU back to 5%"
        ]
    );
    assert!(
        t.ticket
            .notes
            .iter()
            .all(|n| n.internal && n.author == "Dana")
    );
    assert_eq!(
        t.ticket.time_entries.len(),
        1,
        "{:#?}",
        t.ticket.time_entries
    );
    assert_eq!(t.ticket.time_entries[0].minutes, minutes);
    assert_eq!(t.ticket.time_entries[0].technician, "Dana");
    assert_resolved_by_dana(&t, "Runaway process killed");
    // Each write exactly once: one request per key, none replayed, none lost.
    assert!(
        t.idempotency_keys.values().all(|n| *n == 1),
        "{:#?}",
        t.idempotency_keys
    );
    assert_eq!(t.writes, t.applied_writes);
    assert_eq!(sim.tickets().len(), 1, "one ticket, not a second one");
}

#[test]
fn a_technician_takes_an_incident_from_new_to_resolved_with_the_keyboard_alone() {
    let Some(desktop) = desktop() else { return };
    let sim = Sim::start();
    let desk = desk_on(&sim);
    let title = "Disk almost full on nas-02";
    let id = desk.incident("acme", title, "high");
    let app = desktop.launch(&desk);
    let wd = &app.wd;
    wd.wait_text("status-psa", "online");

    // j selects the first incident; a acknowledges it.
    wd.press(&[], "j");
    wd.wait_text("detail-title", title);
    wd.press(&[], "a");
    let ticket_id = wd.wait_for("the PSA ticket id", WAIT, || {
        let t = wd.text("psa-ticket-id");
        t.starts_with("T-").then_some(t)
    });
    let t = wait_ticket(&sim, "the ticket", |t| t.ticket.id == ticket_id);
    assert_eq!(t.ticket.priority, "P2", "high is P2");
    assert_eq!(t.ticket.assigned_tech.as_deref(), Some("Dana"));

    // n goes to the note box, Ctrl+Enter posts, Esc leaves the box.
    wd.press(&[], "n");
    assert_eq!(wd.focused().as_deref(), Some("note-input"));
    wd.press(&[], "Freed 40 GB of old snapshots");
    wd.press(&[key::CONTROL], &key::ENTER.to_string());
    let note = wd.wait_for("the posted note", WAIT, || {
        note_ids(&app).into_iter().next()
    });
    wd.wait_text(&note.replace("note-", "note-sync-"), "in PSA");
    assert_eq!(wd.value("note-input"), "", "the box is empty once posted");
    wd.press(&[], &key::ESCAPE.to_string());
    assert_ne!(wd.focused().as_deref(), Some("note-input"));

    // ? shows the shortcuts and Esc closes them; g s and g i move between views.
    wd.press(&[], "?");
    wd.el("shortcuts");
    wd.press(&[], &key::ESCAPE.to_string());
    wd.wait_until("the shortcuts closed", WAIT, || !wd.has("shortcuts"));
    wd.press(&[], "gs");
    wd.el("settings");
    wd.press(&[], "gi");
    wd.wait_text("detail-title", title);

    // r opens the resolve dialog on its summary; Ctrl+Enter resolves.
    wd.press(&[], "r");
    wd.el("resolve-dialog");
    assert_eq!(wd.focused().as_deref(), Some("resolve-summary"));
    wd.press(&[], "Snapshots pruned, alert cleared");
    wd.wait_until("the resolve preview", WAIT, || {
        !wd.value("resolve-minutes").is_empty()
    });
    wd.press(&[key::CONTROL], &key::ENTER.to_string());
    let t = wait_ticket(&sim, "the resolution", |t| t.ticket.resolution.is_some());
    assert_resolved_by_dana(&t, "Snapshots pruned, alert cleared");
    let notes: Vec<&str> = t.ticket.notes.iter().map(|n| n.body.as_str()).collect();
    assert_eq!(notes, ["Freed 40 GB of old snapshots"]);
    assert_eq!(desk.json(&["incident", "show", &id])["status"], "resolved");
}

#[test]
fn a_note_typed_offline_survives_a_crash_and_is_delivered_once_when_the_psa_is_back() {
    let Some(desktop) = desktop() else { return };
    let port = free_port();
    let state = tempfile::tempdir().expect("temp dir");
    let config = || {
        let mut c = SimConfig::new(KEY).tenant("acme", "ACME Corp");
        c.state = Some(state.path().join("psa-sim.json"));
        c
    };
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut sim = Sim::at(config(), addr);
    let desk = desk_on(&sim);
    let id = desk.incident("acme", "Backup job failed on srv-files", "high");
    desk.json(&["ack", &id, "--tech", "Dana"]);
    let sync = desk.run(&["sync"]);
    assert!(sync.ok, "{}", sync.stderr);
    assert_eq!(sim.tickets().len(), 1);
    sim.stop();

    let app = desktop.launch(&desk);
    open(&app, &id, "Backup job failed on srv-files");
    let draft = "Restarted the backup service; watching the next run";
    app.wd.type_into("note-input", draft);
    // Killed while the technician types: whatever the app saved as a draft is all that is left.
    wait_for_draft(&desk, draft);
    app.kill_hard();

    let app = app.restart();
    open(&app, &id, "Backup job failed on srv-files");
    assert_eq!(app.wd.value("note-input"), draft, "the draft came back");
    app.wd.click("note-post");
    let note = app.wd.wait_for("the posted note", WAIT, || {
        note_ids(&app).into_iter().next()
    });
    let sync_id = note.replace("note-", "note-sync-");
    app.wd.wait_text(&sync_id, "waiting");
    assert_eq!(app.wd.value("note-input"), "", "posted, the box is empty");

    let sim = Sim::at(config(), addr);
    // Nobody clicks anything: the engine finds the PSA back by itself, within its longest
    // back-off (a minute, in the app).
    let back = Instant::now();
    app.wd
        .wait_until("the note in the PSA", Duration::from_secs(75), || {
            app.wd.text(&sync_id) == "in PSA"
        });
    eprintln!("delivered {:?} after the PSA came back", back.elapsed());
    let t = wait_ticket(&sim, "the note", |t| !t.ticket.notes.is_empty());
    let bodies: Vec<&str> = t.ticket.notes.iter().map(|n| n.body.as_str()).collect();
    assert_eq!(bodies, [draft], "delivered once");
    assert!(
        t.idempotency_keys.values().all(|n| *n == 1),
        "{:#?}",
        t.idempotency_keys
    );
}

/// Waits until the note box's draft is saved in the database file.
fn wait_for_draft(desk: &Desk, body: &str) {
    let db = rusqlite::Connection::open_with_flags(
        desk.db(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the database");
    let deadline = Instant::now() + WAIT;
    loop {
        let saved: Option<String> = db
            .query_row("SELECT body FROM drafts", [], |r| r.get(0))
            .ok();
        if saved.as_deref() == Some(body) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the draft was never saved: {saved:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn credentials_entered_in_settings_pass_the_wizard_and_stay_in_the_keychain_only() {
    let Some(desktop) = desktop() else { return };
    let sim = Sim::start();
    let desk = Desk::new().env("ONCALL_DEMO", "0");
    desk.tenant("acme");
    // Everything the app logs, its libraries' debug lines too: the key is in none of it.
    let app = desktop.launch_with(&desk, &[("ONCALL_LOG", "debug")]);
    let wd = &app.wd;
    wd.wait_text("status-psa", "not configured");

    wd.click("nav-settings");
    wd.type_into("set-technician", "Dana");
    wd.type_into("set-psa-url", &sim.url());
    wd.type_into("set-psa-key", KEY);
    wd.click("settings-save");
    wd.wait_text("set-psa-key-state", "set");
    assert_eq!(
        wd.value("set-psa-key"),
        "",
        "the key box is emptied once saved"
    );
    wd.click("wizard-run");
    for step in ["one_psa", "tenants"] {
        wd.wait_until(&format!("{step} passed"), WAIT, || {
            wd.has(&format!("wizard-step-{step}"))
                && wd
                    .attr(&format!("wizard-step-{step}"), "data-status")
                    .as_deref()
                    == Some("passed")
        });
    }
    wd.wait_text("status-psa", "online");

    let stored = Command::new("secret-tool")
        .args(["lookup", "service", "oncall-desk", "username"])
        .arg(format!("{}:psa.service_key", desk.profile()))
        .args(["target", "default"])
        .output()
        .expect("secret-tool runs");
    assert_eq!(
        String::from_utf8_lossy(&stored.stdout),
        KEY,
        "the key is in the Secret Service"
    );
    wd.script(
        "document.querySelector(arguments[0]).scrollIntoView({block: 'center'});",
        json!([testid("wizard-step-one_psa")]),
    );
    screenshot(&app, "settings-wizard.png");

    assert!(!wd.html().contains(KEY), "the key is in the page");
    let mut files = vec![desk.db()];
    files.extend(["-wal", "-shm"].map(|s| {
        let mut p = desk.db().into_os_string();
        p.push(s);
        p.into()
    }));
    files.extend(
        walk(&desk.dir().join("config"))
            .into_iter()
            .chain(walk(&desk.dir().join("xdg"))),
    );
    for f in files {
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert!(
            !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
            "the key is in {}",
            f.display()
        );
    }
    assert!(
        app.log().contains("DEBUG"),
        "the app's log is read: {}",
        app.log()
    );
    assert!(!app.log().contains(KEY), "the key is in the app's log");

    let wrong = "not-the-service-key";
    wd.type_into("set-psa-key", wrong);
    wd.click("settings-save");
    wd.wait_until("the key box emptied", WAIT, || {
        wd.value("set-psa-key").is_empty()
    });
    wd.click("wizard-run");
    wd.wait_until("one_psa failed", WAIT, || {
        wd.has("wizard-step-one_psa")
            && wd.attr("wizard-step-one_psa", "data-status").as_deref() == Some("failed")
    });
    let explained = wd.text("wizard-step-one_psa");
    assert!(
        explained.to_lowercase().contains("key"),
        "not explained: {explained}"
    );
    assert!(!wd.html().contains(wrong), "the wrong key is in the page");
    assert!(
        !app.log().contains(wrong),
        "the wrong key is in the app's log"
    );
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .flat_map(|e| {
            let p = e.path();
            if p.is_dir() { walk(&p) } else { vec![p] }
        })
        .collect()
}

#[test]
fn markup_in_a_note_shows_as_text() {
    let Some(desktop) = desktop() else { return };
    let desk = Desk::new().env("ONCALL_DEMO", "0");
    desk.tenant("acme");
    technician(&desk, "Dana");
    let id = desk.incident("acme", "Phishing mail reported", "medium");
    let app = desktop.launch(&desk);
    let title = app.wd.script("return document.title;", json!([]));
    open(&app, &id, "Phishing mail reported");

    let markup = r#"<img src=x onerror="document.title='pwned'">"#;
    let note = post_note(&app, markup);
    let shown = app.wd.script(
        "const n = document.querySelector(arguments[0]); \
         return {text: n.textContent, imgs: n.querySelectorAll('img').length};",
        json!([testid(&note)]),
    );
    assert!(
        shown["text"].as_str().expect("text").contains(markup),
        "{shown}"
    );
    assert_eq!(shown["imgs"], 0, "an img element was made: {shown}");
    assert_eq!(app.wd.script("return document.title;", json!([])), title);
    assert_eq!(
        app.wd.script("return document.images.length;", json!([])),
        0
    );
}

#[test]
fn a_refused_write_is_notified_logged_and_counted_in_the_tray() {
    let Some(desktop) = desktop() else { return };
    let desktop = desktop.with_notifications().with_tray();
    let sim = Sim::start();
    let desk = desk_on(&sim);
    desk.tenant("initech");
    let id = desk.incident("initech", "Firewall down at Initech", "critical");
    let app = desktop.launch(&desk);
    let wd = &app.wd;
    wd.wait_text("status-psa", "online");
    open(&app, &id, "Firewall down at Initech");

    wd.click("ack");
    let summary = format!("The PSA refused a write for incident {id}");
    let deadline = Instant::now() + WAIT;
    while !desktop.notifications().contains(&summary) {
        assert!(
            Instant::now() < deadline,
            "no notification {summary:?}; dunst printed {:?}",
            desktop.notifications()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        sim.tickets().is_empty(),
        "no ticket for a tenant the PSA refuses"
    );
    // A note now waits behind the refused ticket.
    post_note(&app, "Called the site; power is out");
    let waiting = wd.wait_for("writes waiting", WAIT, || {
        let n: u32 = wd.text("status-waiting").parse().ok()?;
        (n > 0).then_some(n)
    });
    let expected = format!("{waiting} waiting");
    wd.wait_until(&format!("the tray to say {expected:?}"), WAIT, || {
        desktop.tray_title().as_deref() == Some(expected.as_str())
    });

    wd.click("nav-sync-log");
    wd.wait_until("a refusal in the sync log", WAIT, || {
        wd.find_all(&testid("sync-log-row"))
            .iter()
            .any(|r| wd.element_text(r).contains("refused"))
    });
    // No screenshot here: in this test WebKitWebDriver's screenshot of the CPU-painted webview
    // never answers, even right after launch (not yet understood; docs/performance.md).
}

#[test]
fn a_note_added_with_the_cli_shows_in_the_open_app_within_a_second() {
    let Some(desktop) = desktop() else { return };
    let desk = Desk::new().env("ONCALL_DEMO", "0");
    desk.tenant("acme");
    technician(&desk, "Dana");
    let id = desk.incident("acme", "Printer offline on floor 2", "low");
    let app = desktop.launch(&desk);
    open(&app, &id, "Printer offline on floor 2");
    assert!(note_ids(&app).is_empty());

    desk.json(&[
        "note",
        &id,
        "--author",
        "Lee",
        "Toner replaced from the terminal",
    ]);
    let noted = Instant::now();
    app.wd
        .wait_until("the CLI's note in the app", Duration::from_secs(1), || {
            note_ids(&app)
                .iter()
                .any(|n| app.wd.text(n).contains("Toner replaced from the terminal"))
        });
    eprintln!("shown {:?} after the CLI returned", noted.elapsed());
}

#[test]
fn a_second_launch_hands_over_to_the_first_window_and_exits() {
    let Some(desktop) = desktop() else { return };
    let desk = Desk::new().env("ONCALL_DEMO", "0");
    let app = desktop.launch(&desk);
    let focused = || app.wd.script("return document.hasFocus();", json!([])) == json!(true);
    // Another window takes the focus, as when the technician works elsewhere.
    let _other = desktop.focus_other_window();
    app.wd
        .wait_until("the app's window to lose the focus", WAIT, || !focused());

    let started = Instant::now();
    let mut second = Command::new(oncall_e2e::desktop::app_path());
    second
        .env_remove("PSA_API_URL")
        .env_remove("PSA_SERVICE_KEY")
        .envs(app.env().iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = second.spawn().expect("second launch");
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            panic!("the second launch still runs after 5 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "the second launch exited with {status}");
    eprintln!("second launch exited in {:?}", started.elapsed());
    assert!(app.wd.answers(), "the first window still answers");
    app.wd
        .wait_until("the first window focused again", WAIT, focused);
}

#[test]
fn readme_screenshots_of_the_demo() {
    let Some(desktop) = desktop() else { return };
    let desk = Desk::new();
    let light = desktop.launch_with(&desk, &[("ONCALL_DEMO", "1")]);
    let wd = &light.wd;
    wd.wait_text("status-psa", "online");
    wd.css("[data-testid^=\"incident-row-\"]");
    let row = testids(&light, "incident-row-").remove(0);
    wd.click(&row);
    wd.click("ack");
    wd.wait_until("the demo ticket", WAIT, || {
        wd.text("psa-ticket-id").starts_with("T-")
    });
    wd.el("psa-view");
    screenshot(&light, "main.png");
    wd.click("new-incident");
    wd.el("ni-title");
    screenshot(&light, "new-incident.png");
    drop(light);

    let dark = desktop.launch_with(
        &desk,
        &[("ONCALL_DEMO", "1"), ("GTK_THEME", "Adwaita:dark")],
    );
    dark.wd.click(&row);
    dark.wd.el("psa-view");
    screenshot(&dark, "main-dark.png");
}

/// Everything of the page a secret could hide in: its markup, every form field's value, and
/// the web storage.
fn page_state(app: &App) -> String {
    app.wd
        .script(
            "return [document.documentElement.outerHTML, \
             ...[...document.querySelectorAll('input, textarea, select')].map(e => e.value), \
             JSON.stringify(localStorage), JSON.stringify(sessionStorage)].join('\\n');",
            json!([]),
        )
        .as_str()
        .expect("the page's state")
        .to_owned()
}

#[test]
fn secrets_entered_in_the_app_are_found_only_in_the_keychain_even_after_a_crash() {
    use oncall_e2e::leaks::{Secrets, assert_absent, files};

    const PSA_KEY: &str = "app-psa-key-planted-71c0e4d9";
    const WRONG_KEY: &str = "app-psa-key-mistyped-2a58f3b6";
    const JWT: &str = "app-nc-jwt-planted-c43e1f07";
    const INTEGRATION_KEY: &str = "app-nc-ik-planted-9d26ab50";
    const PASSWORD: &str = "app-nc-pw-planted-5f81d2c3";
    const SECRETS: Secrets = Secrets {
        psa_key: PSA_KEY,
        wrong_key: WRONG_KEY,
        jwt: JWT,
        integration_key: INTEGRATION_KEY,
        password: PASSWORD,
    };
    let planted = SECRETS.planted();
    let Some(desktop) = desktop() else { return };
    let sim = SECRETS.sim();
    let desk = Desk::new().env("ONCALL_DEMO", "0");
    desk.tenant("acme");
    let id = desk.incident("acme", "CPU critical on FS01", "critical");
    let app = desktop.launch_with(&desk, &[("ONCALL_LOG", "trace")]);
    let wd = &app.wd;
    let mut pages = Vec::new();

    // The settings form, with a typo in the key.
    wd.click("nav-settings");
    wd.type_into("set-technician", "Dana");
    wd.type_into("set-psa-url", &sim.url());
    wd.type_into("set-psa-key", WRONG_KEY);
    wd.type_into("set-ncentral-url", &sim.url());
    wd.type_into("set-ncentral-psa-type", "3");
    wd.type_into("set-ncentral-jwt", JWT);
    wd.type_into("set-ncentral-integration-key", INTEGRATION_KEY);
    wd.type_into("set-ncentral-username", "tech");
    wd.type_into("set-ncentral-password", PASSWORD);
    wd.click("settings-save");
    wd.wait_text("set-psa-key-state", "set");
    wd.wait_text("set-ncentral-login-state", "set");
    pages.push(("the settings once saved", page_state(&app)));

    // The wizard fails on the key; the acknowledgement's ticket waits, the refusal shown.
    wd.click("wizard-run");
    let step_is = |step: &str, status: &str| {
        wd.wait_until(&format!("{step} {status}"), WAIT, || {
            wd.has(&format!("wizard-step-{step}"))
                && wd
                    .attr(&format!("wizard-step-{step}"), "data-status")
                    .as_deref()
                    == Some(status)
        });
    };
    step_is("one_psa", "failed");
    step_is("ncentral_login", "passed");
    pages.push(("the failed wizard", page_state(&app)));
    wd.click("nav-incidents");
    open(&app, &id, "CPU critical on FS01");
    wd.click("ack");
    wd.wait_text("status-waiting", "1");
    wd.wait_until("the refusal shown", WAIT, || {
        wd.attr("status-error", "title")
            .is_some_and(|t| t.contains("(401)"))
    });
    wd.click("nav-sync-log");
    wd.el("sync-log");
    pages.push(("the sync log after the refusal", page_state(&app)));

    // The right key, the wizard passes, the waiting ticket goes out.
    wd.click("nav-settings");
    wd.type_into("set-psa-key", PSA_KEY);
    wd.click("settings-save");
    wd.wait_until("the key box emptied", WAIT, || {
        wd.value("set-psa-key").is_empty()
    });
    wd.click("wizard-run");
    for step in [
        "one_psa",
        "tenants",
        "ncentral_login",
        "ncentral_psa_credentials",
    ] {
        step_is(step, "passed");
    }
    pages.push(("the passed wizard", page_state(&app)));
    wd.click("sync-now");
    wait_ticket(&sim, "the waiting ticket", |_| true);
    wd.click("nav-incidents");
    open(&app, &id, "CPU critical on FS01");
    wd.wait_until("the ticket shown", WAIT, || {
        wd.text("psa-ticket-id").starts_with("T-")
    });
    pages.push(("the incident with its ticket", page_state(&app)));

    // The search finds the secrets where they belong.
    for (name, value, secret) in [
        ("psa.service_key", PSA_KEY, &planted[0]),
        ("ncentral.jwt", JWT, &planted[2]),
        ("ncentral.integration_key", INTEGRATION_KEY, &planted[3]),
        ("ncentral.password", PASSWORD, &planted[4]),
    ] {
        let stored = desk.keychain_item(name).unwrap_or_default();
        assert_eq!(stored, value, "{name} is in the keychain");
        assert!(!secret.found_in(stored.as_bytes()).is_empty(), "{name}");
    }
    for (page, state) in &pages {
        assert!(state.contains("data-testid"), "{page} was read");
        assert_absent(&planted, page, state.as_bytes());
    }
    let log = app.log();
    assert!(
        log.contains("TRACE") && log.contains("keychain"),
        "the app's log is at trace level: {log}"
    );
    assert_absent(&planted, "the app's log", log.as_bytes());
    let env = app.env().to_vec();
    drop(app);

    // A crash with the secrets in play: the stored login, and the key from the environment.
    // The app panics once started when asked to (a correct app has no other way to crash).
    let stderr = desk.dir().join("crash-stderr.log");
    let mut crashing = Command::new(oncall_e2e::desktop::app_path())
        .env_remove("PSA_API_URL")
        .env_remove("PSA_SERVICE_KEY")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("ONCALL_CRASH_TEST", "1")
        .env("PSA_API_URL", sim.url())
        .env("PSA_SERVICE_KEY", PSA_KEY)
        .env("RUST_BACKTRACE", "full")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr).expect("stderr file"))
        .spawn()
        .expect("the app starts");
    let status = oncall_e2e::webdriver::wait_for("the app to crash", WAIT, &mut || {
        crashing.try_wait().expect("wait")
    });
    assert!(!status.success(), "the app exited with {status}");
    let crashes = desk.dir().join("data/oncall-desk/crashes");
    let reports = files(&crashes);
    assert_eq!(
        reports.len(),
        1,
        "one crash report in {}",
        crashes.display()
    );
    let report = std::fs::read_to_string(&reports[0]).expect("the report");
    for expected in [
        concat!("oncall-desk ", env!("CARGO_PKG_VERSION"), " crashed at "),
        "message: a crash asked for by ONCALL_CRASH_TEST",
        "location: ",
        "backtrace:",
    ] {
        assert!(
            report.contains(expected),
            "{expected} in the report: {report}"
        );
    }
    let stderr = std::fs::read_to_string(&stderr).expect("stderr");
    assert!(
        stderr.contains(&reports[0].display().to_string()),
        "stderr says where the report is: {stderr}"
    );
    assert_absent(&planted, "the crash report", report.as_bytes());
    assert_absent(&planted, "the crash's stderr", stderr.as_bytes());

    // Nothing the app wrote holds one: database, settings, WebKit's storage, logs.
    let written = files(desk.dir());
    assert!(
        written.iter().any(|f| f.ends_with("config/settings.json")) && written.contains(&desk.db()),
        "the settings and the database are searched: {written:?}"
    );
    for file in written {
        let bytes = std::fs::read(&file).expect("read");
        assert_absent(&planted, &file.display().to_string(), &bytes);
    }
}

#[test]
fn a_database_that_is_not_one_is_explained_in_the_window_and_left_as_it_was() {
    let Some(desktop) = desktop() else { return };
    let desk = Desk::new();
    let garbage = vec![0x5a; 8192];
    std::fs::write(desk.db(), &garbage).expect("write");
    // Outside the demo, which keeps a database of its own.
    let app = desktop.launch_until(&desk, &[("ONCALL_DEMO", "0")], "startup-problem");

    let message = app.wd.text("startup-message");
    assert!(
        message.contains(&desk.db().display().to_string())
            && message.contains("is not an oncall-desk database"),
        "the message names the file and what is wrong with it: {message}"
    );
    let fix = app.wd.text("startup-fix");
    assert!(
        fix.contains("Move the database file aside"),
        "the fix says what to do: {fix}"
    );
    assert!(
        !app.wd.has("incident-count") && !app.wd.has("status-waiting"),
        "nothing of the app shows"
    );
    let focused = app.wd.script(
        "return document.activeElement?.textContent ?? '';",
        json!([]),
    );
    assert_eq!(focused, json!("Quit"), "Quit has the keyboard focus");
    assert!(
        app.log().contains("oncall-desk cannot start"),
        "the log says why: {}",
        app.log()
    );

    // Pressed after the script returns; the app may still end before WebKitWebDriver has
    // passed the answer on (seen once in CI), so only the app's exit below is asserted.
    let _ = app.wd.try_script(
        "setTimeout(() => document.querySelector('[data-testid=\"startup-quit\"]').click());",
        json!([]),
    );
    oncall_e2e::webdriver::wait_for("the app to quit", WAIT, &mut || {
        app.pid().is_none().then_some(())
    });
    assert_eq!(
        std::fs::read(desk.db()).expect("read"),
        garbage,
        "the file is as it was"
    );
}

#[test]
fn the_app_killed_while_it_drains_a_backlog_delivers_each_write_once() {
    let Some(desktop) = desktop() else { return };
    let sim = Sim::start();
    let desk = desk_on(&sim);
    // Queued while offline: the core only queues, it never sends.
    let mut core =
        oncall_core::Desk::open(&desk.db(), std::sync::Arc::new(oncall_core::SystemClock))
            .expect("open")
            .with_psa_configured(true);
    for n in 0..40 {
        let incident = core
            .new_incident(&oncall_core::domain::NewIncident {
                tenant_id: "acme".into(),
                title: format!("Backlog incident {n}"),
                severity: "high".into(),
                ..Default::default()
            })
            .expect("incident");
        core.acknowledge(incident.id, "Dana").expect("ack");
        for k in 0..2 {
            core.add_note(incident.id, "Dana", &format!("Backlog {n} note {k}"))
                .expect("note");
        }
        core.resolve(incident.id, "Dana", Some("Fixed"))
            .expect("resolve");
    }
    drop(core);
    let queued = outbox_count(&desk, "1");
    // Slow answers spread the drain over seconds; lost responses make the app replay writes
    // the PSA already applied.
    sim.set_faults(&psa_sim::Faults {
        latency_ms: 400,
        fail_rate: 0.1,
        lose_response_rate: 0.1,
        ..psa_sim::Faults::default()
    });

    let (seed, mut rng) = oncall_e2e::rng_from_env("ONCALL_CRASH_SEED");
    println!("app kill schedule seed: {seed}");
    let mut app = desktop.launch(&desk);
    let mut kills = 0;
    for _ in 0..3 {
        // A random moment: once a few more writes are delivered, while many are left.
        let target = outbox_count(&desk, "state = 'done'") + 2 + (rng() % 8) as i64;
        let deadline = Instant::now() + Duration::from_secs(60);
        while outbox_count(&desk, "state = 'done'") < target {
            assert!(Instant::now() < deadline, "the app never delivered");
            std::thread::sleep(Duration::from_millis(5));
        }
        if outbox_count(&desk, "state = 'pending'") == 0 {
            break;
        }
        app.kill_hard();
        kills += 1;
        app = app.restart();
    }
    assert!(kills >= 2, "the drain was interrupted ({kills} kills)");
    app.wd
        .wait_until("nothing left to send", Duration::from_secs(240), || {
            app.wd.text("status-waiting") == "0"
        });
    oncall_e2e::delivered::assert_integrity(&desk.db());
    let delivered = oncall_e2e::delivered::assert_exactly_once_in_order(&sim, &desk.db());
    assert_eq!(delivered.incidents, 40);
    assert_eq!(delivered.writes as i64, queued, "every queued write, once");
    println!(
        "app kills={kills} writes={} requests={}",
        delivered.writes, delivered.requests
    );
}

/// Outbox items matching `condition`, read from the database file.
fn outbox_count(desk: &Desk, condition: &str) -> i64 {
    let db = rusqlite::Connection::open_with_flags(
        desk.db(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the database");
    db.query_row(
        &format!("SELECT count(*) FROM outbox WHERE {condition}"),
        [],
        |r| r.get(0),
    )
    .expect("count")
}
