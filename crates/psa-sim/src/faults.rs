//! Fault injection for `/api/*`: rate limit, 5xx, latency, dropped connections, lost responses.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{Extension, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::config::Faults;
use crate::reply::Reply;
use crate::server::ConnAbort;

/// The faults in force and the rate limiter's bucket.
pub(crate) struct FaultState {
    inner: Mutex<Inner>,
    /// How many requests were answered 429 so far.
    rate_limited: AtomicU64,
}

struct Inner {
    faults: Faults,
    bucket: Option<TokenBucket>,
}

impl FaultState {
    /// Faults as configured, with a full bucket.
    pub fn new(faults: Faults) -> Self {
        Self {
            inner: Mutex::new(Inner {
                bucket: faults.rate_limit.map(TokenBucket::new),
                faults,
            }),
            rate_limited: AtomicU64::new(0),
        }
    }

    /// How many requests were answered 429 so far.
    pub fn rate_limited(&self) -> u64 {
        self.rate_limited.load(Ordering::SeqCst)
    }

    /// The faults in force.
    pub fn get(&self) -> Faults {
        self.lock().faults.clone()
    }

    /// Replaces the faults; a new rate limit starts with a full bucket.
    pub fn set(&self, faults: Faults) {
        let mut inner = self.lock();
        inner.bucket = faults.rate_limit.map(TokenBucket::new);
        inner.faults = faults;
    }

    /// Rolls the dice for one request.
    fn plan(&self) -> Plan {
        let mut inner = self.lock();
        if let Some(bucket) = &mut inner.bucket
            && let Err(retry_after) = bucket.take(Instant::now())
        {
            self.rate_limited.fetch_add(1, Ordering::SeqCst);
            return Plan::RateLimited { retry_after };
        }
        let f = &inner.faults;
        Plan::Serve {
            latency: Duration::from_millis(f.latency_ms),
            fail: roll(f.fail_rate).then(|| {
                if fastrand::bool() {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                }
            }),
            drop: roll(f.drop_rate),
            lose_response: roll(f.lose_response_rate),
            garble: roll(f.garble_rate),
        }
    }

    /// Fault settings are plain values, valid whatever a panicking holder left.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// True with probability `share`.
fn roll(share: f64) -> bool {
    share > 0.0 && fastrand::f64() < share
}

/// What happens to one request.
enum Plan {
    RateLimited {
        retry_after: u64,
    },
    Serve {
        latency: Duration,
        fail: Option<StatusCode>,
        drop: bool,
        lose_response: bool,
        garble: bool,
    },
}

/// A token bucket: holds up to `max(1, rps)` tokens and gains `rps` tokens a second.
struct TokenBucket {
    rps: f64,
    capacity: f64,
    tokens: f64,
    refilled_at: Instant,
}

impl TokenBucket {
    fn new(rps: f64) -> Self {
        let capacity = rps.max(1.0);
        Self {
            rps,
            capacity,
            tokens: capacity,
            refilled_at: Instant::now(),
        }
    }

    /// Takes a token, or says in how many whole seconds (at least 1) one will be there.
    fn take(&mut self, now: Instant) -> Result<(), u64> {
        let elapsed = now
            .saturating_duration_since(self.refilled_at)
            .as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rps).min(self.capacity);
        self.refilled_at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - self.tokens) / self.rps).ceil();
            // `wait` is positive and finite (rps > 0 is validated), so the cast cannot wrap.
            Err((wait as u64).max(1))
        }
    }
}

/// Middleware for `/api/*`, outermost: counts every request on arrival, so a test can tell that
/// a request is at the PSA even while latency holds its answer back.
pub(crate) async fn count(
    State(received): State<Arc<AtomicU64>>,
    req: Request,
    next: Next,
) -> Response {
    received.fetch_add(1, Ordering::SeqCst);
    next.run(req).await
}

/// Middleware for `/api/*`: applies the faults in force around the real handler.
pub(crate) async fn inject(
    State(faults): State<Arc<FaultState>>,
    Extension(conn): Extension<ConnAbort>,
    req: Request,
    next: Next,
) -> Response {
    let (latency, fail, drop, lose_response, garble) = match faults.plan() {
        Plan::RateLimited { retry_after } => {
            return (
                [(header::RETRY_AFTER, retry_after.to_string())],
                Reply::error(StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            )
                .into_response();
        }
        Plan::Serve {
            latency,
            fail,
            drop,
            lose_response,
            garble,
        } => (latency, fail, drop, lose_response, garble),
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(status) = fail {
        return Reply::error(status, "injected_failure").into_response();
    }
    if drop {
        return conn.abort().await;
    }
    if garble {
        return (
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body>502 Bad Gateway</body></html>",
        )
            .into_response();
    }
    let response = next.run(req).await;
    if lose_response {
        return conn.abort().await;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_starts_full_and_refills_at_the_rate() {
        let mut bucket = TokenBucket::new(10.0);
        let t0 = bucket.refilled_at;
        for _ in 0..10 {
            assert!(bucket.take(t0).is_ok());
        }
        assert_eq!(bucket.take(t0), Err(1));
        assert!(bucket.take(t0 + Duration::from_millis(100)).is_ok());
        assert!(bucket.take(t0 + Duration::from_millis(100)).is_err());
    }

    #[test]
    fn slow_rates_ask_for_a_longer_wait() {
        let mut bucket = TokenBucket::new(0.25);
        let t0 = bucket.refilled_at;
        assert!(bucket.take(t0).is_ok());
        assert_eq!(bucket.take(t0), Err(4));
    }
}
