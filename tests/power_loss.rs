//! The database survives its process dying at any moment, inside a migration and inside a
//! large write: SQLite's WAL guarantees, shown on the real file. Each run is killed with
//! SIGKILL once its write-ahead log has grown past a random size (seed printed, replay with
//! `ONCALL_POWER_LOSS_SEED`), then the file must pass `integrity_check` and hold either all of
//! the interrupted transaction or none of it, with every row committed before it.
//!
//! SIGKILL ends the process, not the machine: the operating system still writes out what SQLite
//! handed it. A power cut also depends on fsync reaching the disk (`synchronous = full`), which
//! no test here can cut.
//!
//! Kills per case: `ONCALL_POWER_LOSS_KILLS` (default 3, a smoke).

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use oncall_core::{Desk as CoreDesk, SystemClock, domain::NewIncident};
use oncall_e2e::{delivered::assert_integrity, env_number, oncall_bin, rng_from_env};
use rusqlite::Connection;

/// The schema before migrations 3 and 4, as shipped.
const OLD_SCHEMA: [&str; 2] = [
    include_str!("../crates/oncall-core/src/store/migrations/0001_init.sql"),
    include_str!("../crates/oncall-core/src/store/migrations/0002_time.sql"),
];
/// The application id our files carry ("OCDK").
const APPLICATION_ID: i64 = 0x4F43_444B;
/// Tables whose rows every schema version keeps.
const TABLES: [&str; 5] = ["tenants", "incidents", "notes", "outbox", "time_entries"];
/// Set in a re-executed copy of this test binary: the database it writes the large batch to.
const WRITER: &str = "ONCALL_POWER_LOSS_WRITER";
/// Incidents in the large batch.
const BATCH: usize = 8_000;

#[test]
fn a_migration_killed_at_random_moments_leaves_the_file_old_or_fully_migrated() {
    let dir = tempfile::tempdir().expect("temp dir");
    let template = dir.path().join("v2.sqlite3");
    old_database(&template, 8_000);
    let before = row_counts(&template);

    // Uninterrupted once: what a finished migration looks like, and how large its log grows.
    let whole = dir.path().join("whole.sqlite3");
    std::fs::copy(&template, &whole).expect("copy");
    let (finished, wal) = run_to_end(migrate(&whole), &whole);
    assert!(finished.success(), "the migration runs");
    let migrated = user_version(&whole);
    assert!(migrated > 2, "it migrated ({migrated})");
    assert_eq!(
        row_counts(&whole),
        before,
        "every row kept by the migration"
    );

    let (seed, mut rng) = rng_from_env("ONCALL_POWER_LOSS_SEED");
    println!("migration kill schedule seed: {seed}");
    let (mut old, mut new, mut finished_first) = (0, 0, 0);
    for n in 0..env_number("ONCALL_POWER_LOSS_KILLS", 3) {
        let db = dir.path().join(format!("killed-{n}.sqlite3"));
        std::fs::copy(&template, &db).expect("copy");
        let at = rng() % wal.max(1);
        let killed = kill_when_wal_reaches(migrate(&db), &db, at);
        finished_first += u32::from(!killed);
        assert_integrity(&db);
        let version = user_version(&db);
        assert!(
            version == 2 || version == migrated,
            "kill {n} at {at} bytes of log: half-migrated to version {version}"
        );
        assert_eq!(row_counts(&db), before, "kill {n}: every row still there");
        if version == 2 {
            old += 1;
        } else {
            new += 1;
        }
        // And the next start finishes the job.
        let (rerun, _) = run_to_end(migrate(&db), &db);
        assert!(rerun.success(), "kill {n}: the next start migrates");
        assert_eq!(user_version(&db), migrated);
        assert_eq!(row_counts(&db), before);
        eprintln!("kill {n} at {at} of {wal} bytes of log (killed: {killed}): version {version}");
    }
    println!(
        "power-loss figures: case=migration runs={} finished_first={finished_first} old={old} \
         migrated={new} seed={seed}",
        old + new
    );
}

#[test]
fn a_large_write_killed_at_random_moments_is_all_or_nothing() {
    if let Ok(db) = std::env::var(WRITER) {
        // The re-executed copy: one transaction of BATCH incidents, then exit.
        large_batch(Path::new(&db));
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let template = dir.path().join("committed.sqlite3");
    let committed = {
        let mut desk = CoreDesk::open(&template, Arc::new(SystemClock)).expect("open");
        desk.add_tenant("acme", "org-acme", "ACME Corp")
            .expect("tenant");
        (0..100)
            .map(|n| {
                desk.new_incident(&incident(&format!("Committed {n}")))
                    .expect("incident")
                    .id
            })
            .count()
    };

    let whole = dir.path().join("whole.sqlite3");
    std::fs::copy(&template, &whole).expect("copy");
    let (finished, wal) = run_to_end(writer(&whole), &whole);
    assert!(finished.success(), "the batch is written");
    assert_eq!(titled(&whole, "Batch %"), BATCH);

    let (seed, mut rng) = rng_from_env("ONCALL_POWER_LOSS_SEED");
    println!("write kill schedule seed: {seed}");
    let (mut none, mut all, mut finished_first) = (0, 0, 0);
    for n in 0..env_number("ONCALL_POWER_LOSS_KILLS", 3) {
        let db = dir.path().join(format!("killed-{n}.sqlite3"));
        std::fs::copy(&template, &db).expect("copy");
        let at = rng() % wal.max(1);
        let killed = kill_when_wal_reaches(writer(&db), &db, at);
        finished_first += u32::from(!killed);
        assert_integrity(&db);
        assert_eq!(
            titled(&db, "Committed %"),
            committed,
            "kill {n}: committed rows kept"
        );
        match titled(&db, "Batch %") {
            0 => none += 1,
            BATCH => all += 1,
            part => panic!("kill {n} at {at} bytes of log: {part} of {BATCH} incidents"),
        }
        // Still a working desk.
        let mut desk = CoreDesk::open(&db, Arc::new(SystemClock)).expect("reopen");
        desk.new_incident(&incident("After the crash"))
            .expect("a write after the crash");
        eprintln!("kill {n} at {at} of {wal} bytes of log (killed: {killed})");
    }
    println!(
        "power-loss figures: case=write runs={} finished_first={finished_first} none={none} \
         all={all} seed={seed}",
        none + all
    );
}

/// Writes a database at schema version 2 with `incidents` incidents, two notes and two outbox
/// rows each, and a time entry every other: enough that migrating it takes a while.
fn old_database(path: &Path, incidents: usize) {
    let mut conn = Connection::open(path).expect("create");
    for sql in OLD_SCHEMA {
        conn.execute_batch(sql).expect("old schema");
    }
    conn.pragma_update(None, "user_version", 2)
        .expect("version");
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .expect("application id");
    let tx = conn.transaction().expect("tx");
    tx.execute(
        "INSERT INTO tenants VALUES ('acme', 'org-acme', 'ACME Corp', 't')",
        [],
    )
    .expect("tenant");
    let text = "Disk usage above 90% on the file server; cleanup needed. ".repeat(8);
    for n in 0..incidents as i64 {
        tx.execute(
            "INSERT INTO incidents (id, tenant_id, title, description, severity, status,
                 created_at, psa_ticket_id, syncs_to_psa)
             VALUES (?1, 'acme', ?2, ?3, 'high', 'acknowledged', 't', ?4, 1)",
            rusqlite::params![n + 1, format!("Incident {n}"), text, format!("T-{n}")],
        )
        .expect("incident");
        for k in 0..2 {
            let note = n * 2 + k + 1;
            tx.execute(
                "INSERT INTO notes (id, incident_id, author, body, created_at, after_ack)
                 VALUES (?1, ?2, 'Dana', ?3, 't', 1)",
                rusqlite::params![note, n + 1, text],
            )
            .expect("note");
            tx.execute(
                "INSERT INTO outbox (id, incident_id, kind, note_id, payload, idempotency_key,
                     state, attempts, created_at)
                 VALUES (?1, ?2, 'add_note', ?1, '{}', ?3, ?4, 1, 't')",
                rusqlite::params![
                    note,
                    n + 1,
                    format!("key-{note}"),
                    ["done", "failed"][k as usize]
                ],
            )
            .expect("outbox");
        }
        if n % 2 == 0 {
            tx.execute(
                "INSERT INTO time_entries (incident_id, technician, started_at, ended_at,
                     minutes, billable, work_type, note, source, created_at)
                 VALUES (?1, 'Dana', 't', 't', 15, 1, 'Remote Support', 'n', 'manual', 't')",
                [n + 1],
            )
            .expect("time entry");
        }
    }
    tx.commit().expect("commit");
}

/// `oncall` opening `db`, which migrates it first.
fn migrate(db: &Path) -> Child {
    Command::new(oncall_bin())
        .args(["tenant", "list", "--json"])
        .env("ONCALL_DB", db)
        .env("ONCALL_CONFIG_DIR", db.with_extension("config"))
        .env_remove("PSA_API_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("oncall starts")
}

/// This test binary again, as the process that writes the large batch to `db`.
fn writer(db: &Path) -> Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "a_large_write_killed_at_random_moments_is_all_or_nothing",
            "--nocapture",
        ])
        .env(WRITER, db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("writer starts")
}

/// BATCH incidents with long descriptions in one transaction.
fn large_batch(db: &Path) {
    let mut desk = CoreDesk::open(db, Arc::new(SystemClock)).expect("open");
    let batch: Vec<_> = (0..BATCH)
        .map(|n| incident(&format!("Batch {n}")))
        .collect();
    desk.new_incidents(&batch).expect("one transaction");
}

fn incident(title: &str) -> NewIncident {
    NewIncident {
        tenant_id: "acme".into(),
        title: title.into(),
        severity: "medium".into(),
        description: "Backup job failed on srv-files; the nightly run reported errors. ".repeat(6),
        ..NewIncident::default()
    }
}

/// Waits for `child` to finish; returns its status and the largest its write-ahead log grew.
fn run_to_end(mut child: Child, db: &Path) -> (std::process::ExitStatus, u64) {
    let wal = wal_path(db);
    let mut largest = 0;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        largest = largest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
        if let Some(status) = child.try_wait().expect("poll") {
            return (status, largest);
        }
        assert!(Instant::now() < deadline, "the run never finished");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// SIGKILLs `child` once the write-ahead log of `db` holds `bytes`; returns whether it was
/// still running to be killed (it may finish first).
fn kill_when_wal_reaches(mut child: Child, db: &Path, bytes: u64) -> bool {
    let wal = wal_path(db);
    let deadline = Instant::now() + Duration::from_secs(300);
    while std::fs::metadata(&wal).map_or(0, |m| m.len()) < bytes.max(1) {
        if child.try_wait().expect("poll").is_some() {
            return false;
        }
        assert!(
            Instant::now() < deadline,
            "the log never grew to {bytes} bytes"
        );
        std::thread::yield_now();
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    true
}

fn wal_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

fn user_version(db: &Path) -> i64 {
    Connection::open(db)
        .and_then(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
        .expect("user_version")
}

/// Rows per table, for the tables every version has.
fn row_counts(db: &Path) -> Vec<(&'static str, i64)> {
    let conn = Connection::open(db).expect("open");
    TABLES
        .iter()
        .map(|t| {
            let n = conn
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .expect("count");
            (*t, n)
        })
        .collect()
}

/// How many incidents have a title like `pattern`.
fn titled(db: &Path, pattern: &str) -> usize {
    Connection::open(db)
        .and_then(|c| {
            c.query_row(
                "SELECT count(*) FROM incidents WHERE title LIKE ?1",
                [pattern],
                |r| r.get::<_, i64>(0),
            )
        })
        .expect("count") as usize
}
