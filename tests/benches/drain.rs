//! The drain benchmark: how fast the sync engine empties a backlog into psa-sim over loopback,
//! with no faults and with the fault mix of the reliability test.

use std::{path::Path, sync::Arc, time::Duration};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use oncall_core::{
    Desk, SystemClock,
    domain::NewIncident,
    psa::{OnePsaClient, PsaConfig},
    secrets::Secret,
    sync::{SyncEngine, SyncOptions},
};
use psa_sim::{Faults, SimConfig};

const INCIDENTS: usize = 50;
const NOTES: usize = 8;
/// Ticket, notes, the timer's time entry and the resolution of every incident.
const WRITES: u64 = (INCIDENTS * (NOTES + 3)) as u64;
const KEY: &str = "bench-key";

/// Writes the backlog once; each iteration drains a fresh copy of the file.
fn template(path: &Path) {
    let mut desk = Desk::open(path, Arc::new(SystemClock))
        .expect("open")
        .with_psa_configured(true);
    desk.add_tenant("acme", "org-acme", "ACME Corp")
        .expect("tenant");
    for n in 0..INCIDENTS {
        let i = desk
            .new_incident(&NewIncident {
                tenant_id: "acme".into(),
                title: format!("Incident {n}"),
                severity: "medium".into(),
                ..NewIncident::default()
            })
            .expect("incident");
        desk.acknowledge(i.id, "Dana").expect("ack");
        for k in 0..NOTES {
            desk.add_note(i.id, "Dana", &format!("note {k}"))
                .expect("note");
        }
        desk.resolve(i.id, "Dana", Some("done")).expect("resolve");
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("dir");
    let original = dir.path().join("template.sqlite3");
    template(&original);
    let mut group = c.benchmark_group("drain 50 incidents x 11 writes into psa-sim");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(WRITES));
    let fault_mixes = [
        ("no faults", Faults::default()),
        (
            "30% 5xx, 5% dropped, 5% lost responses",
            Faults {
                fail_rate: 0.3,
                drop_rate: 0.05,
                lose_response_rate: 0.05,
                ..Faults::default()
            },
        ),
    ];
    for (name, faults) in fault_mixes {
        let sim = rt
            .block_on(psa_sim::start(
                SimConfig::new(KEY)
                    .tenant("acme", "ACME Corp")
                    .faults(faults),
                "127.0.0.1:0".parse().expect("addr"),
            ))
            .expect("sim");
        let url = sim.base_url();
        let mut copy = 0;
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    copy += 1;
                    let db = dir.path().join(format!("run-{copy}.sqlite3"));
                    std::fs::copy(&original, &db).expect("copy");
                    let client =
                        OnePsaClient::new(PsaConfig::new(&url, Secret::new(KEY)).expect("config"))
                            .expect("client");
                    let options = SyncOptions {
                        concurrency: 16,
                        base_backoff: Duration::from_millis(10),
                        max_backoff: Duration::from_millis(200),
                        ..SyncOptions::default()
                    };
                    Arc::new(
                        SyncEngine::open(&db, client, Arc::new(SystemClock), options)
                            .expect("engine"),
                    )
                },
                |engine| {
                    let report = rt.block_on(engine.drain(None)).expect("drain");
                    assert_eq!(report.pending, 0);
                },
                BatchSize::PerIteration,
            )
        });
        rt.block_on(sim.shutdown());
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
