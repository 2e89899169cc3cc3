//! The simulator's tickets and idempotency records, behind one lock, written through to SQLite.
//!
//! Every write runs its idempotency check and its change under the same lock, so concurrent
//! replays of one key apply exactly once.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

use crate::model::{SimTicket, Ticket, TicketStatus};
use crate::persist::{Change, Db, StateError};
use crate::reply::Reply;

/// Ticket ids are `T-<seq>`, with `seq` counting from this number.
const FIRST_TICKET_SEQ: u64 = 1001;

/// How many ids of each kind were handed out; ids are never reused, not even after a reset.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Counters {
    tickets: u64,
    notes: u64,
    time_entries: u64,
}

impl Counters {
    /// A fresh note id, `N-<n>`.
    pub fn note_id(&mut self) -> String {
        self.notes += 1;
        format!("N-{}", self.notes)
    }

    /// A fresh time entry id, `TE-<n>`.
    pub fn time_entry_id(&mut self) -> String {
        self.time_entries += 1;
        format!("TE-{}", self.time_entries)
    }
}

/// The first answer given to an `Idempotency-Key`, and the ticket it concerned.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct IdempotencyRecord {
    reply: Reply,
    ticket: Option<u64>,
}

/// What applying one write did.
pub(crate) struct Applied {
    /// The answer to give (and to repeat on a replay).
    reply: Reply,
    /// The ticket the write reached, by sequence number, if any.
    ticket: Option<u64>,
    /// Whether the ticket changed.
    changed: bool,
}

impl Applied {
    /// A write that reached no ticket (bad body, unknown ticket, forbidden tenant).
    pub fn nothing(reply: Reply) -> Self {
        Self {
            reply,
            ticket: None,
            changed: false,
        }
    }

    /// A write that reached a ticket but did not change it (bad body, already closed).
    pub fn unchanged(seq: u64, reply: Reply) -> Self {
        Self {
            reply,
            ticket: Some(seq),
            changed: false,
        }
    }

    /// A write that changed a ticket.
    pub fn changed(seq: u64, reply: Reply) -> Self {
        Self {
            reply,
            ticket: Some(seq),
            changed: true,
        }
    }
}

/// The tickets and the idempotency records.
#[derive(Default)]
pub(crate) struct State {
    tickets: BTreeMap<u64, SimTicket>,
    idempotency: HashMap<String, IdempotencyRecord>,
    counters: Counters,
}

impl State {
    /// The ticket with this id, and its sequence number.
    pub fn ticket(&self, id: &str) -> Option<(u64, &Ticket)> {
        let seq = ticket_seq(id)?;
        self.tickets.get(&seq).map(|t| (seq, &t.ticket))
    }

    /// The ticket with this id, mutable, its sequence number, and the id counters for what is
    /// added to it.
    pub fn ticket_mut(&mut self, id: &str) -> Option<(u64, &mut Ticket, &mut Counters)> {
        let seq = ticket_seq(id)?;
        let ticket = self.tickets.get_mut(&seq)?;
        Some((seq, &mut ticket.ticket, &mut self.counters))
    }

    /// Every ticket with its counts, oldest first.
    pub fn sim_tickets(&self) -> impl Iterator<Item = &SimTicket> {
        self.tickets.values()
    }

    /// Adds a ticket built from its new id; returns its sequence number.
    pub fn insert_ticket(&mut self, build: impl FnOnce(String) -> Ticket) -> (u64, &Ticket) {
        let seq = FIRST_TICKET_SEQ + self.counters.tickets;
        self.counters.tickets += 1;
        let ticket = build(format!("T-{seq}"));
        let entry = self.tickets.entry(seq).or_insert(SimTicket {
            ticket,
            writes: 0,
            applied_writes: 0,
            idempotency_keys: BTreeMap::new(),
            applied_keys: Vec::new(),
        });
        (seq, &entry.ticket)
    }
}

/// The sequence number in a ticket id `T-<seq>`.
fn ticket_seq(id: &str) -> Option<u64> {
    id.strip_prefix("T-")?.parse().ok()
}

/// The shared state, in memory and optionally in a SQLite file.
pub(crate) struct Store {
    inner: Mutex<Inner>,
}

struct Inner {
    state: State,
    db: Option<Db>,
}

impl Store {
    /// An empty in-memory store, or the state kept in `path`.
    pub fn open(path: Option<&Path>) -> Result<Self, StateError> {
        let (state, db) = match path {
            None => (State::default(), None),
            Some(path) => {
                let db = Db::open(path)?;
                let snapshot = db.load()?;
                let state = State {
                    tickets: snapshot.tickets.into_iter().collect(),
                    idempotency: snapshot.idempotency.into_iter().collect(),
                    counters: snapshot.counters,
                };
                (state, Some(db))
            }
        };
        Ok(Self {
            inner: Mutex::new(Inner { state, db }),
        })
    }

    /// Runs a write once per `Idempotency-Key`: a replay returns the first reply and changes
    /// nothing but the counts. A write without a key always applies.
    pub fn write(
        &self,
        key: Option<&str>,
        apply: impl FnOnce(&mut State) -> Applied,
    ) -> Result<Reply, StateError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        let mut new_record = false;
        let applied = match key.and_then(|k| state.idempotency.get(k)) {
            Some(record) => Applied {
                reply: record.reply.clone(),
                ticket: record.ticket,
                changed: false,
            },
            None => {
                let applied = apply(state);
                if let Some(key) = key {
                    let record = IdempotencyRecord {
                        reply: applied.reply.clone(),
                        ticket: applied.ticket,
                    };
                    state.idempotency.insert(key.to_owned(), record);
                    new_record = true;
                }
                applied
            }
        };
        if let Some(t) = applied.ticket.and_then(|seq| state.tickets.get_mut(&seq)) {
            t.writes += 1;
            if applied.changed {
                t.applied_writes += 1;
                t.applied_keys.extend(key.map(str::to_owned));
            }
            if let Some(key) = key {
                *t.idempotency_keys.entry(key.to_owned()).or_default() += 1;
            }
        }
        if let Some(db) = db {
            let record = key
                .filter(|_| new_record)
                .and_then(|k| Some((k, state.idempotency.get(k)?)));
            let ticket = applied
                .ticket
                .and_then(|seq| Some((seq, state.tickets.get(&seq)?)));
            db.save(&Change {
                ticket,
                record,
                counters: &state.counters,
            })?;
        }
        Ok(applied.reply)
    }

    /// Closes a ticket as if by hand in the PSA: status `Completed`, no resolution.
    pub fn close_by_hand(&self, id: &str) -> Result<Option<SimTicket>, StateError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        let Some(seq) = ticket_seq(id) else {
            return Ok(None);
        };
        let Some(t) = state.tickets.get_mut(&seq) else {
            return Ok(None);
        };
        t.ticket.status = TicketStatus::Completed;
        if let Some(db) = db {
            db.save(&Change {
                ticket: Some((seq, &*t)),
                record: None,
                counters: &state.counters,
            })?;
        }
        Ok(Some(t.clone()))
    }

    /// Forgets every ticket and idempotency record; ids keep counting so none is reused.
    pub fn reset(&self) -> Result<(), StateError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        state.tickets.clear();
        state.idempotency.clear();
        if let Some(db) = db {
            db.clear()?;
            db.save(&Change {
                ticket: None,
                record: None,
                counters: &state.counters,
            })?;
        }
        Ok(())
    }

    /// Reads the state under the lock.
    pub fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.lock().state)
    }

    /// A panic in another request leaves the state consistent (changes are plain field updates),
    /// so a poisoned lock is still usable.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use serde_json::json;

    fn ticket(id: String) -> Ticket {
        Ticket {
            id,
            title: "disk full".into(),
            description: String::new(),
            source: "On-Call Auto".into(),
            priority: "P2".into(),
            tenant_id: "acme".into(),
            company: "ACME".into(),
            org_id: None,
            assigned_tech: None,
            created_at: "2024-01-01T00:00:00Z".into(),
            external_ref: None,
            status: TicketStatus::New,
            notes: Vec::new(),
            resolution: None,
            time_entries: Vec::new(),
        }
    }

    fn create(state: &mut State) -> Applied {
        let (seq, t) = state.insert_ticket(ticket);
        Applied::changed(seq, Reply::new(StatusCode::CREATED, json!({ "id": t.id })))
    }

    #[test]
    fn a_replay_repeats_the_first_reply_and_counts_on_the_ticket() {
        let store = Store::open(None).unwrap();
        let first = store.write(Some("k1"), create).unwrap();
        let replay = store.write(Some("k1"), create).unwrap();
        assert_eq!(first, replay);
        store.read(|s| {
            let all: Vec<_> = s.sim_tickets().collect();
            assert_eq!(all.len(), 1);
            assert_eq!((all[0].writes, all[0].applied_writes), (2, 1));
            assert_eq!(all[0].idempotency_keys["k1"], 2);
            assert_eq!(all[0].applied_keys, ["k1"], "applied once");
        });
    }

    #[test]
    fn state_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sim.sqlite3");
        let first = {
            let store = Store::open(Some(&path)).unwrap();
            store.write(Some("k1"), create).unwrap()
        };
        let store = Store::open(Some(&path)).unwrap();
        assert_eq!(store.write(Some("k1"), create).unwrap(), first);
        let second = store.write(None, create).unwrap();
        assert_eq!(second.body["id"], "T-1002");
        assert_eq!(store.read(|s| s.sim_tickets().count()), 2);
    }
}
