//! The incident list as the app pages through it: filters, search over titles, notes, ticket and
//! incident ids, newest first, and the total the scroll bar is sized by.

use std::sync::Arc;

use oncall_core::{
    Desk, SystemClock,
    domain::{IncidentId, NewIncident, Severity},
    view::IncidentQuery,
};

/// 40 incidents over two tenants and four severities; #7 has a note, #12 a linked ticket.
fn desk() -> (tempfile::TempDir, Desk) {
    let dir = tempfile::tempdir().expect("dir");
    let mut desk = Desk::open(&dir.path().join("db.sqlite3"), Arc::new(SystemClock)).expect("open");
    desk.add_tenant("acme", "org-acme", "ACME Corp")
        .expect("tenant");
    desk.add_tenant("globex", "org-globex", "Globex")
        .expect("tenant");
    let incidents: Vec<NewIncident> = (1..=40)
        .map(|i| NewIncident {
            tenant_id: ["acme", "globex"][i % 2].into(),
            title: format!("Disk space low on srv-{i:03}"),
            description: "C: below 10% free".into(),
            severity: ["critical", "high", "medium", "low"][i % 4].into(),
            ..NewIncident::default()
        })
        .collect();
    desk.new_incidents(&incidents).expect("incidents");
    desk.acknowledge(IncidentId(7), "Dana").expect("ack");
    desk.add_note(IncidentId(7), "Dana", "Rebooted the hypervisor")
        .expect("note");
    desk.link(IncidentId(12), "T-4242").expect("link");
    (dir, desk)
}

fn ids(desk: &mut Desk, query: IncidentQuery) -> (u32, Vec<i64>) {
    let page = desk.incident_page(&query).expect("page");
    (page.total, page.rows.iter().map(|r| r.id.0).collect())
}

fn query(limit: u32) -> IncidentQuery {
    IncidentQuery {
        limit,
        ..IncidentQuery::default()
    }
}

#[test]
fn pages_are_newest_first_and_carry_the_total() {
    let (_dir, mut desk) = desk();
    assert_eq!(ids(&mut desk, query(3)), (40, vec![40, 39, 38]));
    let second = IncidentQuery {
        offset: 38,
        ..query(5)
    };
    assert_eq!(ids(&mut desk, second), (40, vec![2, 1]));
}

#[test]
fn filters_combine_and_count_only_their_matches() {
    let (_dir, mut desk) = desk();
    // Critical is i % 4 == 0, ACME is i % 2 == 0: 4, 8, ... 40.
    let critical_acme = IncidentQuery {
        severity: Some(Severity::Critical),
        tenant_id: Some("acme".into()),
        ..query(3)
    };
    assert_eq!(ids(&mut desk, critical_acme), (10, vec![40, 36, 32]));
    let high_globex = IncidentQuery {
        severity: Some(Severity::High),
        tenant_id: Some("globex".into()),
        ..query(100)
    };
    let (total, rows) = ids(&mut desk, high_globex);
    assert_eq!(total, 10);
    assert!(rows.iter().all(|id| id % 4 == 1), "{rows:?}");
}

#[test]
fn search_finds_words_notes_tickets_and_ids() {
    let (_dir, mut desk) = desk();
    let search = |text: &str| IncidentQuery {
        search: Some(text.into()),
        ..query(100)
    };
    assert_eq!(
        ids(&mut desk, search("srv-01")),
        (10, (10..=19).rev().collect())
    );
    assert_eq!(ids(&mut desk, search("hyperv")), (1, vec![7]));
    assert_eq!(ids(&mut desk, search("T-4242")), (1, vec![12]));
    assert_eq!(ids(&mut desk, search("#33")), (1, vec![33]));
    // No word starts with "7" (srv-007 is the words "srv" and "007"): only incident #7 matches.
    assert_eq!(ids(&mut desk, search("7")), (1, vec![7]));
    assert_eq!(ids(&mut desk, search("nothing-like-this")), (0, vec![]));
    let within_filter = IncidentQuery {
        severity: Some(Severity::Critical),
        ..search("srv-01")
    };
    assert_eq!(ids(&mut desk, within_filter), (2, vec![16, 12]));
}
