//! Group commit of the lanes' marks: the "may be in the PSA" and "done" marks of concurrent
//! lanes that wait on the same commit share one transaction, so one fsync makes all of them
//! durable (two durable marks per write were the unlimited drain's cost, docs/performance.md).

use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::SyncError;
use crate::{
    lock,
    store::{Store, StoreError, Tx},
};

/// One lane's mark: what to write, and where its answer goes once the commit is known.
type Mark = (
    Box<dyn FnOnce(&Tx<'_>) -> Result<bool, StoreError> + Send>,
    oneshot::Sender<Result<bool, SyncError>>,
);

/// Marks waiting for the next commit of one connection.
pub(super) struct GroupCommit {
    store: Arc<Mutex<Store>>,
    waiting: Arc<Mutex<Vec<Mark>>>,
}

impl GroupCommit {
    /// Group commits on `store`, the engine's connection.
    pub(super) fn new(store: Arc<Mutex<Store>>) -> Self {
        Self {
            store,
            waiting: Arc::default(),
        }
    }

    /// Writes `mark` durably and returns what it returned. It joins the marks of other lanes
    /// queued meanwhile in one transaction, each in its own savepoint: a mark that fails is
    /// undone alone.
    pub(super) async fn write(
        &self,
        mark: impl FnOnce(&Tx<'_>) -> Result<bool, StoreError> + Send + 'static,
    ) -> Result<bool, SyncError> {
        let (answer, answered) = oneshot::channel();
        lock(&self.waiting).push((Box::new(mark), answer));
        let (store, waiting) = (Arc::clone(&self.store), Arc::clone(&self.waiting));
        // Whoever gets the connection first commits every mark queued so far; a lane whose
        // mark went out in another's commit finds the queue empty and waits for its answer.
        tokio::task::spawn_blocking(move || {
            let mut store = lock(&store);
            let marks = std::mem::take(&mut *lock(&waiting));
            commit(&mut store, marks);
        })
        .await
        .map_err(|e| SyncError::Interrupted(e.to_string()))?;
        answered
            .await
            .map_err(|e| SyncError::Interrupted(e.to_string()))?
    }
}

/// Writes `marks` in one transaction and answers each once the commit is known.
fn commit(store: &mut Store, marks: Vec<Mark>) {
    if marks.is_empty() {
        return;
    }
    let (writes, answers): (Vec<_>, Vec<_>) = marks.into_iter().unzip();
    let mut results = Vec::with_capacity(writes.len());
    let committed = store.write(|tx| {
        for write in writes {
            results.push(tx.savepoint(write));
        }
        Ok::<_, StoreError>(())
    });
    match committed {
        Ok(()) => {
            for (answer, result) in answers.into_iter().zip(results) {
                let _ = answer.send(result.map_err(SyncError::from));
            }
        }
        Err(e) => {
            let e = Arc::new(e);
            for answer in answers {
                let _ = answer.send(Err(SyncError::Commit(Arc::clone(&e))));
            }
        }
    }
}
