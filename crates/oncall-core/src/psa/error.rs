use std::time::Duration;

use super::http::HttpError;

/// What went wrong talking to the PSA, in kinds the sync engine acts on and a person can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PsaError {
    /// 401: the service key is missing or wrong.
    #[error(
        "the PSA refused the service key (401): check PSA_SERVICE_KEY or run `oncall login psa`"
    )]
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
    /// 429: too many requests; wait as told.
    #[error("the PSA is rate limiting us (429){}", .0.map(|d| format!("; retry after {} s", d.as_secs())).unwrap_or_default())]
    RateLimited(Option<Duration>),
    /// 5xx, a timeout or a connection failure: worth retrying.
    #[error("the PSA could not be reached or failed: {0}")]
    Transient(String),
    /// The secure connection could not be set up (certificate, protocol, an HTTPS-inspecting
    /// proxy); retried, as a proxy or clock problem may pass.
    #[error("the secure (TLS) connection to the PSA failed: {0}")]
    Tls(String),
    /// A 3xx: not followed, as the hop would carry the service key elsewhere.
    #[error(
        "the PSA answered {status} redirecting to {location}; a PSA API does not redirect, so it \
         was not followed (the service key stays here): check psa.url or PSA_API_URL"
    )]
    Redirected {
        /// The status code.
        status: u16,
        /// Where it pointed, without query or credentials.
        location: String,
    },
    /// An answer we cannot understand (a proxy's error page, a truncated body): retried, as
    /// the idempotency key makes a retry safe, and shown until it passes.
    #[error("the PSA's answer could not be understood: {0}")]
    Malformed(String),
}

impl PsaError {
    /// Whether retrying the same request later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::RateLimited(_) | Self::Transient(_) | Self::Tls(_) | Self::Malformed(_)
        )
    }
}

impl From<HttpError> for PsaError {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::Tls(cause) => Self::Tls(cause),
            HttpError::Unreachable(cause) | HttpError::Server(cause) => Self::Transient(cause),
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
            HttpError::Unexpected(status) => Self::Malformed(format!("unexpected status {status}")),
        }
    }
}
