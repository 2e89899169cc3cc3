//! The database as a user meets it through `oncall`: bad input, two processes at once, files
//! that are not ours or are from a newer version.

use std::process::Stdio;

use oncall_e2e::Desk;

fn note_count(desk: &Desk, id: &str) -> usize {
    desk.json(&["incident", "show", id])["notes"]
        .as_array()
        .expect("notes")
        .len()
}

#[test]
fn bad_input_gets_a_clear_error_and_writes_nothing() {
    let desk = Desk::new();
    desk.tenant("acme");
    let id = desk.incident("acme", "Printer on fire", "low");
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "incident",
                "new",
                "--tenant",
                "acme",
                "--title",
                "  ",
                "--severity",
                "low",
            ],
            "title must not be empty",
        ),
        (
            &[
                "incident",
                "new",
                "--tenant",
                "acme",
                "--title",
                "x",
                "--severity",
                "sev1",
            ],
            "unknown severity 'sev1'",
        ),
        (
            &[
                "incident",
                "new",
                "--tenant",
                "nobody",
                "--title",
                "x",
                "--severity",
                "low",
            ],
            "unknown tenant 'nobody'",
        ),
        (
            &["tenant", "add", "acme", "--org-id", "1", "--name", "Again"],
            "tenant 'acme' already exists",
        ),
        (
            &["tenant", "add", "bad id", "--org-id", "1", "--name", "X"],
            "may only use letters",
        ),
        (
            &["note", &id, "--author", "Dana", " "],
            "note must not be empty",
        ),
        (
            &["note", &id, "--author", "", "text"],
            "author must not be empty",
        ),
        (
            &["note", "999", "--author", "Dana", "text"],
            "no incident 999",
        ),
        (&["resolve", &id, "--tech", "Dana"], "not acknowledged yet"),
    ];
    for (args, want) in cases {
        let run = desk.run(args);
        assert!(!run.ok, "{args:?} should fail");
        assert!(run.stderr.contains(want), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    // The core names the remedy; the CLI words it as a command to type.
    let unknown = desk.run(&[
        "incident",
        "new",
        "--tenant",
        "nobody",
        "--title",
        "x",
        "--severity",
        "low",
    ]);
    assert!(
        unknown
            .stderr
            .contains("\nfix: Add the tenant first with `oncall tenant add`."),
        "{}",
        unknown.stderr
    );
    assert_eq!(
        desk.json(&["incident", "list"]).as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(note_count(&desk, &id), 0);
}

#[test]
fn a_note_with_a_control_character_is_refused() {
    // A note past the size limit on standard input: edges.rs.
    let desk = Desk::new();
    desk.tenant("acme");
    let id = desk.incident("acme", "Big logs", "low");
    let nul = desk.run(&["note", &id, "--author", "Dana", "a\u{1}b"]);
    assert!(
        !nul.ok && nul.stderr.contains("control character"),
        "{}",
        nul.stderr
    );
    assert_eq!(note_count(&desk, &id), 0);
}

#[test]
fn odd_unicode_and_a_note_at_the_limit_are_stored_intact() {
    let desk = Desk::new();
    desk.tenant("acme");
    let id = desk.incident("acme", "Ünïcödé 🔥 title", "low");
    let odd = "RTL \u{202e}txet\u{202c} emoji 👩‍💻 e\u{301} 漢字\r\n\tindent  trailing  ";
    desk.json(&["note", &id, "--author", "Zoë", odd]);
    let max = "é".repeat(65536 / 2);
    desk.json(&["note", &id, "--author", "Zoë", &max]);
    let shown = desk.json(&["incident", "show", &id]);
    assert_eq!(shown["title"], "Ünïcödé 🔥 title");
    assert_eq!(shown["notes"][0]["body"], odd);
    assert_eq!(shown["notes"][0]["author"], "Zoë");
    assert_eq!(shown["notes"][1]["body"], max.as_str());
}

#[test]
fn two_processes_writing_at_once_lose_nothing() {
    let desk = Desk::new();
    desk.tenant("acme");
    let id = desk.incident("acme", "Busy", "low");
    let writers: Vec<_> = ["A", "B"]
        .into_iter()
        .map(|who| {
            let script = format!(
                "for i in $(seq 1 40); do \"$0\" note {id} --author {who} \"note $i\" >/dev/null || exit 1; done"
            );
            // `$0` is the oncall binary: each note is its own process.
            std::process::Command::new("sh")
                .args(["-c", &script])
                .arg(oncall_e2e::oncall_bin())
                .env("ONCALL_DB", desk.db())
                .spawn()
                .expect("spawn writer")
        })
        .collect();
    for mut w in writers {
        assert!(w.wait().expect("wait").success());
    }
    let shown = desk.json(&["incident", "show", &id]);
    let notes = shown["notes"].as_array().expect("notes");
    assert_eq!(notes.len(), 80);
    for who in ["A", "B"] {
        let bodies: Vec<_> = notes
            .iter()
            .filter(|n| n["author"] == who)
            .map(|n| n["body"].as_str().expect("body").to_owned())
            .collect();
        let want: Vec<_> = (1..=40).map(|i| format!("note {i}")).collect();
        assert_eq!(bodies, want, "{who}'s notes in the order written");
    }
}

#[test]
fn data_survives_reopening() {
    let desk = Desk::new();
    desk.tenant("acme");
    let id = desk.incident("acme", "Persisted", "high");
    desk.json(&["ack", &id, "--tech", "Dana"]);
    let shown = desk.json(&["incident", "show", &id]);
    assert_eq!(shown["status"], "acknowledged");
    assert_eq!(shown["title"], "Persisted");
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_unchanged() {
    let desk = Desk::new();
    desk.tenant("acme");
    {
        let conn = rusqlite::Connection::open(desk.db()).expect("open");
        conn.pragma_update(None, "user_version", 99).expect("bump");
        // Schema 99 needs a build that knows schema 99 (it broke older ones).
        conn.execute("UPDATE schema_info SET compatible_from = 99", [])
            .expect("incompatible");
        conn.pragma_update(None, "journal_mode", "delete")
            .expect("checkpoint");
    }
    let before = std::fs::read(desk.db()).expect("read");
    let run = desk.run(&["tenant", "list"]);
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("written by a newer oncall-desk (schema 99"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(desk.db()).expect("read"), before);
}

#[test]
fn a_database_from_a_newer_but_compatible_version_is_used_as_it_is() {
    let desk = Desk::new();
    desk.tenant("acme");
    let schema = |v: Option<i64>| {
        let conn = rusqlite::Connection::open(desk.db()).expect("open");
        if let Some(v) = v {
            // A newer build added only what this one can ignore: it left the compatibility
            // version where this build's schema is.
            conn.pragma_update(None, "user_version", v).expect("bump");
        }
        conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .expect("version")
    };
    let ours = schema(None);
    schema(Some(ours + 1));
    let id = desk.incident("acme", "Written by an older build", "low");
    desk.json(&["ack", &id, "--tech", "Dana"]);
    assert_eq!(
        desk.json(&["incident", "show", &id])["status"],
        "acknowledged"
    );
    assert_eq!(schema(None), ours + 1, "the newer schema is kept");
}

#[test]
fn a_file_that_is_not_a_database_or_not_ours_is_refused_and_left_unchanged() {
    let desk = Desk::new();
    let garbage = b"this is a text file, not SQLite\n".repeat(200);
    std::fs::write(desk.db(), &garbage).expect("write");
    let run = desk.run(&["tenant", "list"]);
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("not an oncall-desk database or is damaged"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(desk.db()).expect("read"), garbage);

    std::fs::remove_file(desk.db()).expect("rm");
    {
        let conn = rusqlite::Connection::open(desk.db()).expect("open");
        conn.execute_batch("CREATE TABLE songs (title TEXT)")
            .expect("create");
    }
    let before = std::fs::read(desk.db()).expect("read");
    let run = desk.run(&["tenant", "list"]);
    assert!(
        run.stderr.contains("belongs to another program"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(desk.db()).expect("read"), before);
}

/// A small tmpfs, unmounted on drop; `None` where this user may not mount (then the test says so).
struct TinyDisk(std::path::PathBuf);

impl TinyDisk {
    fn mount(at: &std::path::Path) -> Option<Self> {
        std::fs::create_dir_all(at).expect("mount point");
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=400k", "tmpfs"])
            .arg(at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Self(at.to_owned()))
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_gets_a_clear_error_and_loses_nothing_already_saved() {
    let desk = Desk::new();
    let Some(disk) = TinyDisk::mount(&desk.dir().join("tiny")) else {
        eprintln!("SKIPPED: mounting a tmpfs needs root; run the suite as root (as CI does)");
        return;
    };
    let db = disk.0.join("oncall.sqlite3");
    let db = db.to_str().expect("path");
    let run = |args: &[&str]| {
        let mut all = vec!["--db", db];
        all.extend_from_slice(args);
        desk.run(&all)
    };
    assert!(run(&["tenant", "add", "acme", "--org-id", "1", "--name", "ACME"]).ok);
    assert!(
        run(&[
            "incident",
            "new",
            "--tenant",
            "acme",
            "--title",
            "Full",
            "--severity",
            "low"
        ])
        .ok
    );
    let body = "0123456789abcdef".repeat(60 * 1024 / 16);
    let mut saved = 0;
    let failure = loop {
        let r = run(&["note", "1", "--author", "Dana", &body]);
        if !r.ok {
            break r;
        }
        saved += 1;
        assert!(saved < 100, "the disk never filled up");
    };
    assert!(saved > 0, "some notes fit: {}", failure.stderr);
    assert!(
        failure
            .stderr
            .contains("the disk is full, so nothing was saved"),
        "{}",
        failure.stderr
    );
    assert!(!failure.stderr.contains("panicked"));
    let shown = run(&["incident", "show", "1", "--json"]);
    assert!(shown.ok, "still readable: {}", shown.stderr);
    let shown: serde_json::Value = serde_json::from_str(&shown.stdout).expect("json");
    let notes = shown["notes"].as_array().expect("notes");
    assert_eq!(
        notes.len(),
        saved,
        "every note saved before the disk filled is intact"
    );
    assert!(notes.iter().all(|n| n["body"] == body.as_str()));
}
