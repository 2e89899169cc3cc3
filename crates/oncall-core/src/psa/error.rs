use std::time::Duration;

use super::http::HttpError;

/// What went wrong talking to the PSA, in kinds the sync engine acts on and a person can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PsaError {
    /// 401: the service key is missing or wrong.
    #[error("the PSA refused the service key (401): it is wrong, revoked or for another PSA")]
    Unauthorized,
    /// 403: the key is valid but may not act for this tenant.
    #[error(
        "the PSA refused this tenant (403 {0}): the service key has no access to the tenant, or the \
         PSA does not know its id; check the tenant's id and the key's client access"
    )]
    Forbidden(String),
    /// 404: no such ticket (or endpoint).
    #[error("the PSA has no such ticket (404 {0}); check the ticket id")]
    NotFound(String),
    /// 409: the request conflicts with the ticket's state (e.g. `already_closed`).
    #[error("the PSA reported a conflict (409 {0})")]
    Conflict(String),
    /// 400: the PSA refused the request's content.
    #[error("the PSA refused the request as invalid (400): {message}{}", field.as_ref().map(|f| format!(" (field '{f}')")).unwrap_or_default())]
    Invalid {
        /// The PSA's reason.
        message: String,
        /// The field at fault, if named.
        field: Option<String>,
    },
    /// Another 4xx (405, 410, 413, ...): the PSA will not accept this request as it is.
    #[error(
        "the PSA will not accept this request ({status} {reason}); it was not applied: the PSA \
         address may be wrong, or this PSA may not support the call"
    )]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The PSA's reason, else the status's reason phrase.
        reason: String,
    },
    /// 429: too many requests; wait as told.
    #[error("the PSA is rate limiting us (429){}", .0.map(|d| format!("; retry after {} s", d.as_secs())).unwrap_or_default())]
    RateLimited(Option<Duration>),
    /// 5xx or a timeout: worth retrying; the PSA may have applied the request.
    #[error("the PSA could not be reached or failed: {0}")]
    Transient(String),
    /// The secure connection could not be set up (certificate, protocol, an HTTPS-inspecting
    /// proxy); retried, as a proxy or clock problem may pass.
    #[error("the secure (TLS) connection to the PSA failed: {0}")]
    Tls(String),
    /// A 3xx: not followed, as the hop would carry the service key elsewhere.
    #[error(
        "the PSA answered {status} redirecting to {location}; a PSA API does not redirect, so it \
         was not followed (the service key stays here); the PSA address (psa.url or \
         PSA_API_URL) may be out of date"
    )]
    Redirected {
        /// The status code.
        status: u16,
        /// Where it pointed, without query or credentials.
        location: String,
    },
    /// No connection could be made: worth retrying; the request never left.
    #[error("the PSA could not be reached: {0}")]
    Unreachable(String),
    /// An answer we cannot understand (a proxy's error page, a truncated body): retried, as
    /// the idempotency key makes a retry safe, and shown until it passes.
    #[error("the PSA's answer could not be understood: {0}")]
    Malformed(String),
    /// A success answer in JSON that lacks what the contract promises (e.g. no id): the PSA
    /// applied the request, and a replay under the same key would repeat the same answer.
    #[error("the PSA accepted the request but its answer lacks what the API promises: {0}")]
    Incomplete(String),
}

impl PsaError {
    /// Whether retrying the same request later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::RateLimited(_)
                | Self::Transient(_)
                | Self::Unreachable(_)
                | Self::Tls(_)
                | Self::Malformed(_)
        )
    }

    /// Whether this answer proves the PSA applied nothing under this idempotency key: a 4xx
    /// other than 409 (a PSA replays a key's first answer, so none of its requests applied), a
    /// 429, a redirect, or a request that never left (no connection, no secure channel). A
    /// refused write may then be retried under a new key.
    pub fn proves_nothing_applied(&self) -> bool {
        matches!(
            self,
            Self::Unreachable(_)
                | Self::Tls(_)
                | Self::Redirected { .. }
                | Self::RateLimited(_)
                | Self::Unauthorized
                | Self::Forbidden(_)
                | Self::NotFound(_)
                | Self::Invalid { .. }
                | Self::Rejected { .. }
        )
    }
}

impl From<HttpError> for PsaError {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::Tls(cause) => Self::Tls(cause),
            HttpError::Unreachable(cause) => Self::Unreachable(cause),
            HttpError::Lost(cause) | HttpError::Server(cause) => Self::Transient(cause),
            HttpError::Malformed(m) => Self::Malformed(m),
            HttpError::Redirected { status, location } => Self::Redirected { status, location },
            HttpError::BadRequest { reason, field } => Self::Invalid {
                message: reason,
                field,
            },
            HttpError::Unauthorized => Self::Unauthorized,
            HttpError::Forbidden(reason) => Self::Forbidden(reason),
            HttpError::NotFound(reason) => Self::NotFound(reason),
            HttpError::Conflict(reason) => Self::Conflict(reason),
            HttpError::RateLimited(after) => Self::RateLimited(after),
            // Any other 4xx (405, 410, 413, ...) means the PSA will not take this request as
            // it is: retrying the same bytes cannot help.
            HttpError::Unexpected { status, reason } if (400..500).contains(&status) => {
                Self::Rejected { status, reason }
            }
            HttpError::Unexpected { status, reason } => {
                Self::Malformed(format!("unexpected status {status} {reason}"))
            }
        }
    }
}

/// One error of each kind, for tests that check every text; the match fails to compile when a
/// kind is added without a sample here.
#[cfg(test)]
pub(crate) fn every_kind() -> Vec<PsaError> {
    let all = vec![
        PsaError::Unauthorized,
        PsaError::Forbidden("tenant_not_allowed".into()),
        PsaError::NotFound("ticket_not_found".into()),
        PsaError::Conflict("already_closed".into()),
        PsaError::Invalid {
            message: "too long".into(),
            field: Some("body".into()),
        },
        PsaError::Rejected {
            status: 405,
            reason: "Method Not Allowed".into(),
        },
        PsaError::RateLimited(Some(Duration::from_secs(30))),
        PsaError::Transient("502 Bad Gateway".into()),
        PsaError::Tls("invalid peer certificate".into()),
        PsaError::Redirected {
            status: 301,
            location: "https://elsewhere.example.com/api".into(),
        },
        PsaError::Unreachable("connection refused".into()),
        PsaError::Malformed("not JSON".into()),
        PsaError::Incomplete("no id".into()),
    ];
    for e in &all {
        match e {
            PsaError::Unauthorized
            | PsaError::Forbidden(_)
            | PsaError::NotFound(_)
            | PsaError::Conflict(_)
            | PsaError::Invalid { .. }
            | PsaError::Rejected { .. }
            | PsaError::RateLimited(_)
            | PsaError::Transient(_)
            | PsaError::Tls(_)
            | PsaError::Redirected { .. }
            | PsaError::Unreachable(_)
            | PsaError::Malformed(_)
            | PsaError::Incomplete(_) => {}
        }
    }
    all
}
