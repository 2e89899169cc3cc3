//! A durable note save beside one raw fsync on the same disk, and the incident list over a
//! generated database.

use std::{
    fs::File,
    io::Write,
    os::unix::fs::FileExt,
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use oncall_core::{
    Desk, SystemClock,
    domain::{IncidentId, NewIncident, Severity},
    sample,
    view::IncidentQuery,
};

use super::{Spread, ms, ratio};

/// How big a store measurement is.
#[derive(Debug, Clone, Copy)]
pub struct StoreSize {
    /// Note saves (and fsyncs) timed.
    pub saves: usize,
    /// Incidents in the generated list database.
    pub incidents: usize,
    /// Times each list query is timed.
    pub queries: usize,
}

/// What the store measurement found.
#[derive(Debug)]
pub struct StoreFigures {
    /// The size measured.
    pub size: StoreSize,
    /// `Desk::add_note` on an acknowledged, synced incident: one durable transaction with its
    /// outbox row.
    pub note_save: Spread,
    /// Writing 256 bytes to a file and `fdatasync`ing it, in the same directory.
    pub fsync: Spread,
    /// The bare read of 200 rows by primary key, newest first: the reference for the list.
    pub bare_page: Spread,
    /// The first page of 200 (with each row's sync state and company, and the total).
    pub first_page: Spread,
    /// Critical incidents of one tenant, first page, with the total.
    pub filtered_page: Spread,
    /// A full-text search (`srv-0999`), first page, with the total.
    pub search: Spread,
}

/// Measures in `dir` (use a directory on the disk being measured).
pub fn measure(dir: &Path, size: StoreSize) -> StoreFigures {
    let (note_save, fsync) = note_save_and_fsync(dir, size.saves);
    let list = list_queries(dir, size);
    StoreFigures {
        size,
        note_save,
        fsync,
        bare_page: list[0],
        first_page: list[1],
        filtered_page: list[2],
        search: list[3],
    }
}

/// Note saves and raw fsyncs, interleaved so that both meet the same moments of the disk.
fn note_save_and_fsync(dir: &Path, n: usize) -> (Spread, Spread) {
    let mut desk = Desk::open(&dir.join("notes.sqlite3"), Arc::new(SystemClock))
        .expect("open")
        .with_psa_configured(true);
    desk.add_tenant("acme", "org-acme", "ACME Corp")
        .expect("tenant");
    let incident = desk
        .new_incident(&NewIncident {
            tenant_id: "acme".into(),
            title: "Suspicious PowerShell on FIN-LAPTOP-7".into(),
            severity: "high".into(),
            ..NewIncident::default()
        })
        .expect("incident");
    desk.acknowledge(incident.id, "Dana").expect("ack");
    let mut file = File::create(dir.join("fsync.bin")).expect("fsync file");
    file.write_all(&[0; 4096]).expect("write");
    file.sync_all().expect("sync");
    let block = [7u8; 256];
    let (mut saves, mut syncs) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let start = Instant::now();
        let note = desk
            .add_note(
                incident.id,
                "Dana",
                "Checked the event log: macro from an invoice",
            )
            .expect("note");
        saves.push(start.elapsed());
        assert!(note.queued.is_some(), "the note is queued for the PSA");
        let start = Instant::now();
        file.write_all_at(&block, (i % 16) as u64 * 256)
            .expect("write");
        file.sync_data().expect("fdatasync");
        syncs.push(start.elapsed());
    }
    let shown = desk.incident(incident.id).expect("show");
    assert_eq!(shown.notes.len(), n, "every note saved");
    (Spread::of(saves), Spread::of(syncs))
}

/// The bare page, the first page, the filtered page and the search, over `size.incidents`.
fn list_queries(dir: &Path, size: StoreSize) -> [Spread; 4] {
    let db = dir.join("list.sqlite3");
    let mut desk = Desk::open(&db, Arc::new(SystemClock)).expect("open");
    for (id, org, company) in sample::TENANTS {
        desk.add_tenant(id, org, company).expect("tenant");
    }
    let incidents: Vec<NewIncident> = sample::generated(size.incidents).collect();
    desk.new_incidents(&incidents).expect("incidents");
    let n = size.incidents as u32;
    let first = IncidentQuery {
        limit: 200,
        ..IncidentQuery::default()
    };
    let filtered = IncidentQuery {
        severity: Some(Severity::Critical),
        tenant_id: Some("acme".into()),
        ..first.clone()
    };
    let search = IncidentQuery {
        search: Some("srv-0999".into()),
        ..first.clone()
    };
    // Each answer checked once: the right rows and totals, newest first.
    let page = desk.incident_page(&first).expect("page");
    assert_eq!(page.total, n);
    assert_eq!(page.rows[0].id, IncidentId(i64::from(n)));
    let acme_critical = incidents
        .iter()
        .filter(|i| i.severity == "critical" && i.tenant_id == "acme")
        .count();
    assert_eq!(
        desk.incident_page(&filtered).expect("page").total as usize,
        acme_critical
    );
    let found = desk.incident_page(&search).expect("search");
    let expected = incidents
        .iter()
        .filter(|i| i.title.contains("srv-0999"))
        .count();
    assert_eq!(found.total as usize, expected);

    let raw = rusqlite::Connection::open(&db).expect("raw connection");
    let bare = || {
        let mut stmt = raw
            .prepare_cached(
                "SELECT id, title, severity, status, tenant_id, created_at, psa_ticket_id
                 FROM incidents ORDER BY id DESC LIMIT 200",
            )
            .expect("prepare");
        let rows = stmt
            .query_map([], |r| r.get::<_, i64>(0))
            .expect("query")
            .count();
        assert_eq!(rows, 200.min(size.incidents));
    };
    // Round after round of all four, so that each meets the same moments of a busy machine.
    let mut times: [Vec<Duration>; 4] = Default::default();
    for _ in 0..size.queries {
        let start = Instant::now();
        bare();
        times[0].push(start.elapsed());
        for (i, q) in [&first, &filtered, &search].into_iter().enumerate() {
            let start = Instant::now();
            desk.incident_page(q).expect("page");
            times[i + 1].push(start.elapsed());
        }
    }
    times.map(Spread::of)
}

impl StoreFigures {
    /// The figures as the markdown of docs/performance.md.
    pub fn markdown(&self) -> String {
        let row = |what: &str, s: &Spread, goal: &str, reference: &str| {
            format!(
                "| {what} | {} | {} | {goal} | {reference} |\n",
                ms(s.p50),
                ms(s.p99)
            )
        };
        let mut out = String::from(
            "| what | p50 | p99 | goal (p99) | against the reference |\n|---|---|---|---|---|\n",
        );
        out += &row(
            &format!("durable note save ({} saves)", self.size.saves),
            &self.note_save,
            "≤ 2 ms",
            &format!(
                "{} of one fsync at p50, {} at p99",
                ratio(self.note_save.p50, self.fsync.p50),
                ratio(self.note_save.p99, self.fsync.p99)
            ),
        );
        out += &row(
            "one raw fsync (256 B write + `fdatasync`), same directory",
            &self.fsync,
            "reference",
            "",
        );
        let n = self.size.incidents;
        let vs_bare = |s: &Spread| {
            format!(
                "{} of the bare read at p99",
                ratio(s.p99, self.bare_page.p99)
            )
        };
        out += &row(
            &format!("bare read of 200 rows by primary key ({n} incidents)"),
            &self.bare_page,
            "reference",
            "",
        );
        out += &row(
            "first page of 200, with sync state, company and total",
            &self.first_page,
            "≤ 5 ms",
            &vs_bare(&self.first_page),
        );
        out += &row(
            "critical incidents of one tenant, first page with total",
            &self.filtered_page,
            "—",
            &vs_bare(&self.filtered_page),
        );
        out += &row(
            "full-text search `srv-0999`, first page with total",
            &self.search,
            "≤ 20 ms",
            &vs_bare(&self.search),
        );
        out
    }
}
