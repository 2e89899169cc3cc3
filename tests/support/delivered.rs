//! What must hold after a drain, however it was interrupted: every write queued in the
//! database applied by the PSA exactly once, in the order it was queued for its incident, and
//! a database file SQLite finds sound.

use std::{collections::BTreeMap, path::Path};

use rusqlite::{Connection, OpenFlags};

use crate::Sim;

/// What a drain delivered, for the figures a long run prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    /// Incidents with a PSA ticket.
    pub incidents: usize,
    /// Writes queued and applied (tickets, notes, time entries, resolutions).
    pub writes: u64,
    /// Write requests that reached a ticket, replays under an idempotency key included.
    pub requests: u64,
}

/// Panics unless `PRAGMA integrity_check` answers `ok` for the database file.
pub fn assert_integrity(db: &Path) {
    let conn = Connection::open(db).expect("open the database");
    let check: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("integrity_check runs");
    assert_eq!(check, ["ok"], "integrity_check of {}", db.display());
}

/// Checks that the PSA holds exactly the writes queued in `db`: nothing pending or refused,
/// one PSA ticket per incident and no other, and on each ticket the idempotency keys of the
/// writes that changed it equal the incident's queued writes, each once, in queue order.
pub fn assert_exactly_once_in_order(sim: &Sim, db: &Path) -> Delivered {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open the database");
    let mut queued: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    let rows: Vec<(i64, String, String, String)> = conn
        .prepare("SELECT incident_id, kind, idempotency_key, state FROM outbox ORDER BY id")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect()
        })
        .expect("outbox rows");
    for (incident, kind, key, state) in rows {
        assert_eq!(state, "done", "incident {incident}: {kind} {key} delivered");
        queued.entry(incident).or_default().push(key);
    }
    let tickets_of: BTreeMap<i64, String> = conn
        .prepare("SELECT id, psa_ticket_id FROM incidents WHERE psa_ticket_id IS NOT NULL")
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .expect("incidents");
    let tickets = sim.tickets();
    assert_eq!(
        tickets.len(),
        queued.len(),
        "one PSA ticket per incident with writes, none twice"
    );
    let mut delivered = Delivered {
        incidents: queued.len(),
        writes: 0,
        requests: 0,
    };
    for (incident, keys) in &queued {
        let ticket_id = tickets_of
            .get(incident)
            .unwrap_or_else(|| panic!("incident {incident} knows its PSA ticket"));
        let t = tickets
            .iter()
            .find(|t| &t.ticket.id == ticket_id)
            .unwrap_or_else(|| panic!("incident {incident}: ticket {ticket_id} in the PSA"));
        assert_eq!(
            &t.applied_keys, keys,
            "incident {incident} ({ticket_id}): each write applied once, in queue order"
        );
        delivered.writes += t.applied_writes;
        delivered.requests += t.writes;
    }
    delivered
}
