//! Criterion benchmarks of the core: the pure ticket mapping and the store's user actions (each
//! one durable SQLite transaction with its outbox row).

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use oncall_core::{
    Desk, SystemClock,
    domain::{DefendDetails, NewIncident, PsaWrite, Severity, Tenant},
    sample,
    view::IncidentQuery,
};

fn defend_incident() -> NewIncident {
    NewIncident {
        tenant_id: "acme".into(),
        title: "Suspicious PowerShell on FIN-LAPTOP-7".into(),
        description: "Encoded command launched by winword.exe".into(),
        severity: "high".into(),
        alert_source: Some("EDR".into()),
        product: Some("Defend".into()),
        defend: DefendDetails {
            device_name: Some("FIN-LAPTOP-7".into()),
            hostname: Some("fin-laptop-7.acme.local".into()),
            mitre_technique_id: Some("T1059.001".into()),
            mitre_technique_name: Some("PowerShell".into()),
            recommended_action: Some("Isolate the device".into()),
        },
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("dir");
    let mut desk = Desk::open(&dir.path().join("bench.sqlite3"), Arc::new(SystemClock))
        .expect("open")
        .with_psa_configured(true);
    desk.add_tenant("acme", "org-acme", "ACME Corp")
        .expect("tenant");
    let incident = desk.new_incident(&defend_incident()).expect("incident");
    let acked = desk.acknowledge(incident.id, "Dana").expect("ack").value;
    let tenant = Tenant::new("acme", "org-acme", "ACME Corp").expect("tenant");

    c.bench_function(
        "map an acknowledged Defend incident to its PSA ticket JSON",
        |b| {
            b.iter(|| {
                let write = PsaWrite::on_acknowledge(&acked, &tenant).expect("ticket");
                serde_json::to_vec(&write).expect("json")
            })
        },
    );
    c.bench_function(
        "add a note after acknowledgement (one durable transaction + outbox row)",
        |b| {
            b.iter(|| {
                desk.add_note(
                    incident.id,
                    "Dana",
                    "Checked the event log: encoded command from a macro",
                )
                .expect("note")
            })
        },
    );
    c.bench_function(
        "raise and acknowledge an incident (two durable transactions)",
        |b| {
            b.iter(|| {
                let i = desk.new_incident(&defend_incident()).expect("incident");
                desk.acknowledge(i.id, "Dana").expect("ack")
            })
        },
    );
}

/// The incident list over 100,000 incidents: what the app asks for as a technician scrolls,
/// filters and searches.
fn list(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("dir");
    let mut desk =
        Desk::open(&dir.path().join("list.sqlite3"), Arc::new(SystemClock)).expect("open");
    for (id, org, company) in sample::TENANTS {
        desk.add_tenant(id, org, company).expect("tenant");
    }
    let incidents: Vec<NewIncident> = sample::generated(100_000).collect();
    desk.new_incidents(&incidents).expect("incidents");
    let mut run = |name: &str, query: IncidentQuery| {
        c.bench_function(name, |b| {
            b.iter(|| desk.incident_page(&query).expect("page"))
        });
    };
    let first = IncidentQuery {
        limit: 200,
        ..IncidentQuery::default()
    };
    run(
        "list: first page of 200 of 100,000 incidents",
        first.clone(),
    );
    run(
        "list: page of 200 at offset 90,000",
        IncidentQuery {
            offset: 90_000,
            ..first.clone()
        },
    );
    run(
        "list: critical incidents of one tenant, first page",
        IncidentQuery {
            severity: Some(Severity::Critical),
            tenant_id: Some("acme".into()),
            ..first.clone()
        },
    );
    run(
        "list: full-text search 'srv-0999' over 100,000 incidents",
        IncidentQuery {
            search: Some("srv-0999".into()),
            ..first
        },
    );
}

criterion_group!(benches, bench, list);
criterion_main!(benches);
