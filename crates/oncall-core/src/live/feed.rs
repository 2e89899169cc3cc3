//! The change feed: a cheap look at the database a few times a second (`PRAGMA data_version`
//! tells whether any other connection committed), then the change log says which incidents
//! changed and the sync log what the PSA said, whichever process wrote them.

use std::{sync::Arc, time::Duration};

use super::{Live, LiveEvent};
use crate::view::AttemptResult;

/// How often the feed looks: changes reach the UI within this, from any process.
const LOOK_EVERY: Duration = Duration::from_millis(250);

pub(super) async fn run(live: Arc<Live>) {
    let start = Arc::clone(&live);
    let Ok(Ok((mut version, mut seq, mut log))) = tokio::task::spawn_blocking(move || {
        start.read(|d| {
            let log = d.sync_log(1)?.first().map_or(0, |e| e.id);
            Ok((d.data_version()?, d.change_seq()?, log))
        })
    })
    .await
    else {
        tracing::error!(target: "feed", "cannot read the database: the change feed is off");
        return;
    };
    let mut ticker = tokio::time::interval(LOOK_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let looking = Arc::clone(&live);
        let looked = tokio::task::spawn_blocking(move || {
            looking.read(|d| {
                let now = d.data_version()?;
                if now == version {
                    return Ok(None);
                }
                let (changed, newest) = d.changes_since(seq)?;
                let mut attempts = d.sync_log_after(log)?;
                attempts.reverse();
                Ok(Some((now, changed, newest, attempts)))
            })
        })
        .await;
        let Ok(Ok(Some((now, changed, newest, attempts)))) = looked else {
            continue;
        };
        version = now;
        seq = newest;
        for attempt in attempts {
            log = log.max(attempt.id);
            live.saw_attempt(attempt.result == AttemptResult::Delivered, &attempt.message);
            let _ = live.events.send(LiveEvent::Attempt(attempt));
        }
        if changed.all || !changed.incidents.is_empty() {
            let _ = live.events.send(LiveEvent::Changed(changed));
            // Another process may have queued writes: let the engine look.
            live.wake.notify_one();
        }
        live.publish_status();
    }
}
