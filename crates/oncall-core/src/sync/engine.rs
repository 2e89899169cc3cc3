//! The drain loop: lanes per incident, bounded concurrency, backoff, the rate gate.

use std::{
    collections::HashSet,
    path::Path,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use jiff::Timestamp;
use serde::Serialize;
use tokio::{sync::Notify, task::JoinSet, time::Instant};

use super::{backoff, deliver::deliver, gate::RateGate, marks::GroupCommit};
use crate::{
    Clock,
    domain::{IncidentId, OutboxState, PsaWriteKind},
    lock,
    psa::{OnePsaClient, PsaError},
    store::{OutboxItem, Store, StoreError},
};

/// How the engine paces itself.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// How many incidents are delivered at once (each incident's writes stay in order).
    pub concurrency: usize,
    /// The first retry's wait; later ones double.
    pub base_backoff: Duration,
    /// The longest wait between retries.
    pub max_backoff: Duration,
    /// The wait after a 429 that names no `Retry-After`.
    pub default_retry_after: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            concurrency: 8,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(300),
            default_retry_after: Duration::from_secs(5),
        }
    }
}

/// Why the engine itself (not one delivery) failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The local database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The commit shared by several lanes' marks failed; each lane gets this same error.
    #[error(transparent)]
    Commit(Arc<StoreError>),
    /// A database task could not finish.
    #[error("a database task was interrupted: {0}")]
    Interrupted(String),
}

/// An item the PSA refused, waiting until a person fixes the cause and retries it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RefusedWrite {
    /// The outbox item.
    pub id: i64,
    /// Its incident.
    pub incident_id: IncidentId,
    /// What it was.
    pub kind: PsaWriteKind,
    /// Why the PSA refused it, in words.
    pub reason: String,
}

/// What a drain did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SyncReport {
    /// Writes the PSA now has.
    pub delivered: u64,
    /// Failed attempts that will be retried.
    pub retried: u64,
    /// Items the PSA refused during this drain.
    pub refused_now: Vec<RefusedWrite>,
    /// Items still waiting when the drain ended.
    pub pending: u64,
    /// Items refused in all (in this drain or earlier).
    pub refused: u64,
    /// Why the drain stopped early, if it did (e.g. the key was refused).
    pub stopped: Option<String>,
}

/// Delivers the outbox of one database to one PSA.
pub struct SyncEngine {
    store: Arc<Mutex<Store>>,
    marks: GroupCommit,
    client: OnePsaClient,
    clock: Arc<dyn Clock>,
    options: SyncOptions,
    gate: RateGate,
    wake: Arc<Notify>,
}

/// Shared state of one drain.
#[derive(Default)]
struct Progress {
    report: Mutex<SyncReport>,
    stop: AtomicBool,
}

impl SyncEngine {
    /// An engine for the database at `db`, with its own connection.
    pub fn open(
        db: &Path,
        client: OnePsaClient,
        clock: Arc<dyn Clock>,
        options: SyncOptions,
    ) -> Result<Self, SyncError> {
        let store = Arc::new(Mutex::new(Store::open(db)?));
        Ok(Self {
            marks: GroupCommit::new(Arc::clone(&store)),
            store,
            client,
            clock,
            options,
            gate: RateGate::default(),
            wake: Arc::new(Notify::new()),
        })
    }

    /// Shares `wake` with whoever queues writes: a drain waiting for a backoff to end, or for
    /// a lane, looks for due writes at once when it is notified.
    pub fn with_wake(mut self, wake: Arc<Notify>) -> Self {
        self.wake = wake;
        self
    }

    /// Delivers everything that is due, waiting out backoffs, until nothing is pending or
    /// `deadline` passes. Refused items stay refused.
    pub async fn drain(
        self: &Arc<Self>,
        deadline: Option<Instant>,
    ) -> Result<SyncReport, SyncError> {
        let progress = Arc::new(Progress::default());
        let mut lanes: JoinSet<(IncidentId, Result<(), SyncError>)> = JoinSet::new();
        let mut busy: HashSet<IncidentId> = HashSet::new();
        let past_deadline = || deadline.is_some_and(|d| Instant::now() >= d);
        loop {
            let stopping = progress.stop.load(Ordering::SeqCst) || past_deadline();
            if !stopping && busy.len() < self.options.concurrency {
                let now = self.clock.now();
                let limit = self.options.concurrency + busy.len();
                let heads = self
                    .db(move |s| s.read(|tx| tx.due_heads(now, limit)))
                    .await?;
                for head in heads {
                    if busy.len() >= self.options.concurrency {
                        break;
                    }
                    if busy.insert(head.incident_id) {
                        let (engine, progress) = (Arc::clone(self), Arc::clone(&progress));
                        let incident = head.incident_id;
                        lanes.spawn(async move {
                            (
                                incident,
                                engine.lane(incident, &progress, deadline, false).await,
                            )
                        });
                    }
                }
            }
            if lanes.is_empty() {
                if stopping {
                    break;
                }
                let Some(next) = self.db(|s| s.read(|tx| tx.next_due())).await? else {
                    break;
                };
                let wait = self.until(next);
                let wake = Instant::now().checked_add(wait);
                if deadline.is_some_and(|d| wake.is_none_or(|w| w >= d)) {
                    break;
                }
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = self.wake.notified() => {}
                }
                continue;
            }
            // Wake when a lane ends, or soon, to start lanes for items that became due.
            tokio::select! {
                joined = lanes.join_next() => {
                    if let Some(joined) = joined {
                        let (incident, result) =
                            joined.map_err(|e| SyncError::Interrupted(e.to_string()))?;
                        busy.remove(&incident);
                        result?;
                    }
                }
                () = tokio::time::sleep(Duration::from_millis(100)) => {}
                () = self.wake.notified() => {}
            }
        }
        let counts = self.db(|s| s.read(|tx| tx.outbox_counts())).await?;
        let mut report = lock(&progress.report).clone();
        report.pending = counts.pending;
        report.refused = counts.refused;
        Ok(report)
    }

    /// Delivers one incident's writes now, in order, giving up after `wait` (what is left stays
    /// queued). Used right after a technician acts: a write backing off is tried at once, since
    /// a person acting is a good moment to find the PSA back.
    pub async fn deliver_incident(
        self: &Arc<Self>,
        incident: IncidentId,
        wait: Duration,
    ) -> Result<SyncReport, SyncError> {
        let progress = Progress::default();
        let deadline = Instant::now() + wait;
        // A timeout only abandons the wait: the item stays pending with its idempotency key.
        let _ =
            tokio::time::timeout(wait, self.lane(incident, &progress, Some(deadline), true)).await;
        let items = self.db(move |s| s.read(|tx| tx.outbox(incident))).await?;
        let mut report = progress
            .report
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        let count = |state| items.iter().filter(|i| i.state == state).count() as u64;
        report.pending = count(OutboxState::Pending);
        report.refused = count(OutboxState::Refused);
        Ok(report)
    }

    /// Delivers an incident's open writes one after the other until one has to wait;
    /// `skip_backoff` tries a write that is backing off at once.
    async fn lane(
        &self,
        incident: IncidentId,
        progress: &Progress,
        deadline: Option<Instant>,
        skip_backoff: bool,
    ) -> Result<(), SyncError> {
        loop {
            if progress.stop.load(Ordering::SeqCst) || deadline.is_some_and(|d| Instant::now() >= d)
            {
                return Ok(());
            }
            let now = self.clock.now();
            let head = self
                .db(move |s| {
                    s.read(|tx| {
                        let head = tx.open_head(incident)?;
                        let ticket = tx.incident(incident)?.psa_ticket_id;
                        Ok::<_, StoreError>(head.map(|h| (h, ticket)))
                    })
                })
                .await?;
            let Some((item, ticket)) = head else {
                return Ok(());
            };
            let due = skip_backoff || item.next_attempt_at.is_none_or(|t| t <= now);
            if item.state != OutboxState::Pending || !due {
                return Ok(());
            }
            if !self.gate.pass(deadline).await {
                return Ok(());
            }
            // The store learns that the PSA may get this write before the request leaves, so a
            // timeout or a killed process can never pass it off as unsent.
            let marked = item.clone();
            if !self
                .marks
                .write(move |tx| tx.begin_attempt(&marked))
                .await?
            {
                continue;
            }
            let send = deliver(&self.client, &item, ticket.as_deref());
            let result = match deadline {
                // Time is up with the request out: its answer is abandoned, and the item stays
                // pending, known to be possibly in the PSA, for the next sync to ask again.
                Some(d) => match tokio::time::timeout_at(d, send).await {
                    Ok(result) => result,
                    Err(_) => return Ok(()),
                },
                None => send.await,
            };
            if !self.record(item, result, progress).await? {
                return Ok(());
            }
        }
    }

    /// Records the result of one attempt; returns whether the lane may go on.
    async fn record(
        &self,
        item: OutboxItem,
        result: Result<super::deliver::Outcome, PsaError>,
        progress: &Progress,
    ) -> Result<bool, SyncError> {
        let now = self.clock.now();
        let kind = item.kind;
        match result {
            Ok(outcome) => {
                log_attempt(kind, item.id, item.incident_id, Ok(&outcome.summary));
                let (id, incident) = (item.id, item.incident_id);
                let recorded = self
                    .marks
                    .write(move |tx| tx.mark_done(&item, &outcome.delivered, &outcome.summary, now))
                    .await?;
                if !recorded {
                    tracing::warn!(
                        target: "sync", item = id, %incident,
                        "the PSA answered a write cancelled meanwhile; its answer is kept in the \
                         item's outcome"
                    );
                    return Ok(true);
                }
                lock(&progress.report).delivered += 1;
                Ok(true)
            }
            Err(e) if e.is_retryable() => {
                log_attempt(kind, item.id, item.incident_id, Err(&e));
                let wait = match &e {
                    PsaError::RateLimited(after) => {
                        let wait = after.unwrap_or(self.options.default_retry_after);
                        self.gate.rate_limited(wait);
                        wait
                    }
                    _ => {
                        let attempts = u32::try_from(item.attempts + 1).unwrap_or(u32::MAX);
                        let o = &self.options;
                        backoff(attempts, o.base_backoff, o.max_backoff, fastrand::f64())
                    }
                };
                let next = now
                    .checked_add(jiff::SignedDuration::try_from(wait).unwrap_or_default())
                    .unwrap_or(now);
                let reason = e.to_string();
                let nothing_applied = e.proves_nothing_applied();
                self.db(move |s| {
                    s.write(|tx| tx.retry_later(&item, &reason, next, nothing_applied))
                })
                .await?;
                lock(&progress.report).retried += 1;
                Ok(false)
            }
            Err(e) => {
                log_attempt(kind, item.id, item.incident_id, Err(&e));
                let reason = e.to_string();
                let refused = RefusedWrite {
                    id: item.id,
                    incident_id: item.incident_id,
                    kind,
                    reason: reason.clone(),
                };
                let nothing_applied = e.proves_nothing_applied();
                self.db(move |s| s.write(|tx| tx.refuse(&item, &reason, nothing_applied)))
                    .await?;
                let mut report = lock(&progress.report);
                report.refused_now.push(refused);
                // A refused key, or a PSA address that redirects, fails every write alike:
                // stop rather than refuse them all one by one.
                if matches!(e, PsaError::Unauthorized | PsaError::Redirected { .. }) {
                    progress.stop.store(true, Ordering::SeqCst);
                    report.stopped = Some(e.to_string());
                }
                Ok(false)
            }
        }
    }

    fn until(&self, at: Timestamp) -> Duration {
        let ms = at.as_millisecond() - self.clock.now().as_millisecond();
        Duration::from_millis(u64::try_from(ms).unwrap_or(0))
    }

    /// Runs a database call off the async threads (SQLite waits on disk and on other writers).
    async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, SyncError> {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || f(&mut lock(&store)))
            .await
            .map_err(|e| SyncError::Interrupted(e.to_string()))?
            .map_err(SyncError::from)
    }
}

/// One log line per attempt, under the target the seed's troubleshooting names
/// (`psa-ticket-creation`) and one per other kind of write.
fn log_attempt(
    kind: PsaWriteKind,
    item: i64,
    incident: IncidentId,
    result: Result<&str, &PsaError>,
) {
    macro_rules! log {
        ($target:literal) => {
            match result {
                Ok(outcome) => tracing::info!(target: $target, item, %incident, outcome, "delivered"),
                Err(e) if e.is_retryable() => {
                    tracing::info!(target: $target, item, %incident, error = %e, "will retry")
                }
                Err(e) => tracing::warn!(
                    target: $target, item, %incident, error = %e,
                    "refused: not retried until a person retries it"
                ),
            }
        };
    }
    match kind {
        PsaWriteKind::CreateTicket => log!("psa-ticket-creation"),
        PsaWriteKind::AddNote => log!("psa-note"),
        PsaWriteKind::Resolve => log!("psa-resolution"),
        PsaWriteKind::AddTimeEntry => log!("psa-time-entry"),
    }
}
