//! What both PSA clients do with an HTTP exchange: read the answer whole, pick out a refusal's
//! reason and `Retry-After`, and name the root cause of a failed request.

use std::time::Duration;

use reqwest::{Client, Response, StatusCode, header::RETRY_AFTER};
use serde::{Deserialize, de::DeserializeOwned};

/// How long to wait for a TCP (and TLS) connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// The HTTP client both PSA clients use: rustls, connect and whole-request timeouts; the error
/// text says why HTTPS could not be set up.
pub(crate) fn client() -> Result<Client, String> {
    Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .user_agent(concat!("oncall-desk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot set up HTTPS: {e}"))
}

/// A non-success answer, with what the server said about it.
pub(crate) struct Refusal {
    /// The status.
    pub status: StatusCode,
    /// The body's `error`, else the status's reason phrase.
    pub reason: String,
    /// The body's `field`, on a 400.
    pub field: Option<String>,
    /// `Retry-After` in seconds, on a 429.
    pub retry_after: Option<Duration>,
}

/// Why a request brought no usable answer.
pub(crate) enum Failure {
    /// No answer: the connection, TLS or a timeout failed.
    Transport {
        /// The request timed out.
        timeout: bool,
        /// The connection could not be made.
        connect: bool,
        /// The root cause reads like a TLS problem.
        tls: bool,
        /// The root cause, e.g. "Connection refused".
        cause: String,
    },
    /// A success answer whose body is not what the API promises.
    Malformed(String),
    /// The server said no.
    Refused(Refusal),
}

#[derive(Deserialize)]
struct ErrorBody {
    error: Option<String>,
    field: Option<String>,
}

/// Reads an answer whole and decodes a success body as `T`.
pub(crate) async fn read<T: DeserializeOwned>(resp: Response) -> Result<T, Failure> {
    let status = resp.status();
    let retry_after = resp
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry_after(v, jiff::Timestamp::now()));
    let bytes = resp.bytes().await.map_err(|e| transport(&e))?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| {
            Failure::Malformed(format!(
                "{e} in a {} answer of {} bytes",
                status.as_u16(),
                bytes.len()
            ))
        });
    }
    let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
    Err(Failure::Refused(Refusal {
        status,
        reason: body
            .as_ref()
            .and_then(|b| b.error.clone())
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_owned()),
        field: body.and_then(|b| b.field),
        retry_after,
    }))
}

/// The longest `Retry-After` honoured: a PSA asking for more is asked again after this.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(60 * 60);

/// A `Retry-After` value (seconds, or an HTTP date) as a wait from `now`, capped at
/// [`MAX_RETRY_AFTER`]; `None` when it is neither.
fn retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let at = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
            // A date in the past means "now".
            Duration::try_from(at.duration_since(now)).unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// A request that brought no answer, with its root cause from the error's source chain (which
/// names e.g. "Connection refused", never the request's headers).
pub(crate) fn transport(e: &reqwest::Error) -> Failure {
    let mut chain = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    Failure::Transport {
        timeout: e.is_timeout(),
        connect: e.is_connect(),
        tls: looks_like_tls(&chain.join(" ")),
        cause: chain.pop().unwrap_or_default(),
    }
}

/// `value` percent-encoded as one URL path segment, so an odd id cannot change the path;
/// `None` for an empty value or one of dots only (`.` and `..` would walk the path).
pub(crate) fn path_segment(value: &str) -> Option<String> {
    if value.is_empty() || value.bytes().all(|b| b == b'.') {
        return None;
    }
    Some(
        value
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect(),
    )
}

/// Whether a connection failure's text points at TLS (certificate, protocol) rather than
/// the network: reqwest gives no typed way to tell.
pub(crate) fn looks_like_tls(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    [
        "certificate",
        "tls",
        "ssl",
        "handshake",
        "corrupt message",
        "invalidcontenttype",
    ]
    .iter()
    .any(|needle| text.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_or_a_date_and_is_capped() {
        let now: jiff::Timestamp = "2026-11-25T12:00:00Z".parse().expect("now");
        let at = |v| retry_after(v, now);
        assert_eq!(at(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(at("18446744073709551615"), Some(MAX_RETRY_AFTER));
        assert_eq!(at("99999999999999999999999"), None);
        assert_eq!(
            at("Wed, 25 Nov 2026 12:00:30 GMT"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(at("Fri, 01 Jan 2100 00:00:00 GMT"), Some(MAX_RETRY_AFTER));
        assert_eq!(at("Thu, 01 Jan 1970 00:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(at("-5"), None);
        assert_eq!(at("soon"), None);
    }
}
