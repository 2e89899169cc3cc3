//! What both PSA clients do with an HTTP exchange: one client setup, secret headers, reading an
//! answer whole, and one mapping of every way an exchange fails to the kinds both APIs share.

use std::time::Duration;

use reqwest::{
    Client, Request, Response, StatusCode, Url,
    header::{HeaderValue, LOCATION, RETRY_AFTER},
    redirect,
};
use serde::{Deserialize, de::DeserializeOwned};

/// How long to wait for a TCP (and TLS) connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// The HTTP client both PSA clients use for `url`: rustls, connect and whole-request timeouts,
/// and no redirects (a hop would carry the keys to wherever it points; psa-contract.md §3.2).
/// The error text says why HTTPS could not be set up.
pub(crate) fn client(url: &Url) -> Result<Client, String> {
    let builder = if url.scheme() == "http" {
        // Plain HTTP (loopback only, by check_url) needs no root certificates, and never
        // reaches another host (no redirects), while loading the system's costs each short
        // `oncall` run milliseconds. An empty store makes HTTPS through this client fail.
        Client::builder().tls_certs_only([])
    } else {
        Client::builder()
    };
    builder
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .redirect(redirect::Policy::none())
        .user_agent(concat!("oncall-desk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot set up HTTPS: {e}"))
}

/// A header value holding a secret, marked so HTTP libraries never print it (nor HTTP/2 index
/// it); `None` when the secret has characters a header cannot carry.
pub(crate) fn sensitive(value: &str) -> Option<HeaderValue> {
    let mut v = HeaderValue::from_str(value).ok()?;
    v.set_sensitive(true);
    Some(v)
}

/// Why an exchange brought no usable answer, in the kinds both APIs share; each client names
/// them in its own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HttpError {
    /// The secure connection could not be set up (certificate, protocol).
    Tls(String),
    /// No connection could be made: the request never left.
    Unreachable(String),
    /// The request may have left but no answer came (a timeout, a dropped connection).
    Lost(String),
    /// A success answer whose body is not what the API promises.
    Malformed(String),
    /// A 3xx, not followed.
    Redirected {
        /// The status code.
        status: u16,
        /// Where it pointed, without query or credentials.
        location: String,
    },
    /// 400 or 422: the request's content was refused.
    BadRequest {
        /// The body's `error`, else the status's reason phrase.
        reason: String,
        /// The body's `field`.
        field: Option<String>,
    },
    /// 401.
    Unauthorized,
    /// 403, with the reason.
    Forbidden(String),
    /// 404, with the reason.
    NotFound(String),
    /// 409, with the reason (e.g. `already_closed`).
    Conflict(String),
    /// 429, with `Retry-After` in seconds.
    RateLimited(Option<Duration>),
    /// 5xx or 408: the server failed; e.g. "503 Service Unavailable".
    Server(String),
    /// Any other status, e.g. 418 "I'm a teapot".
    Unexpected {
        /// The status code.
        status: u16,
        /// The body's `error`, else the status's reason phrase.
        reason: String,
    },
}

#[derive(Deserialize)]
struct ErrorBody {
    error: Option<String>,
    field: Option<String>,
}

/// Sends a request and reads its answer whole, decoding a success body as `T`.
pub(crate) async fn send<T: DeserializeOwned>(http: &Client, req: Request) -> Result<T, HttpError> {
    read(execute(http, req).await?).await
}

/// Sends a request; any answer (even a refusal) is `Ok`.
pub(crate) async fn execute(http: &Client, req: Request) -> Result<Response, HttpError> {
    http.execute(req).await.map_err(|e| transport(&e))
}

/// Reads an answer whole and decodes a success body as `T`.
pub(crate) async fn read<T: DeserializeOwned>(resp: Response) -> Result<T, HttpError> {
    let status = resp.status();
    if status.is_redirection() {
        return Err(redirected(&resp));
    }
    let retry_after = resp
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry_after(v, jiff::Timestamp::now()));
    let bytes = resp.bytes().await.map_err(|e| transport(&e))?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| {
            HttpError::Malformed(format!(
                "{e} in a {} answer of {} bytes",
                status.as_u16(),
                bytes.len()
            ))
        });
    }
    let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
    let reason = body
        .as_ref()
        .and_then(|b| b.error.clone())
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_owned());
    Err(match status {
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => HttpError::BadRequest {
            reason,
            field: body.and_then(|b| b.field),
        },
        StatusCode::UNAUTHORIZED => HttpError::Unauthorized,
        StatusCode::FORBIDDEN => HttpError::Forbidden(reason),
        StatusCode::NOT_FOUND => HttpError::NotFound(reason),
        StatusCode::CONFLICT => HttpError::Conflict(reason),
        StatusCode::TOO_MANY_REQUESTS => HttpError::RateLimited(retry_after),
        s if s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT => {
            HttpError::Server(format!("{} {reason}", s.as_u16()))
        }
        s => HttpError::Unexpected {
            status: s.as_u16(),
            reason,
        },
    })
}

/// A 3xx with where it pointed: scheme, host, port and path only, as a query could hold a token.
fn redirected(resp: &Response) -> HttpError {
    let location = resp
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| resp.url().join(v).ok())
        .map_or_else(|| "nowhere (no Location)".to_owned(), |url| bare(&url));
    HttpError::Redirected {
        status: resp.status().as_u16(),
        location,
    }
}

/// A URL without credentials, query or fragment.
pub(crate) fn bare(url: &Url) -> String {
    let mut url = url.clone();
    // Only fails for URLs that cannot have credentials, which then have none to remove.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_query(None);
    url.set_fragment(None);
    url.to_string()
}

/// The longest `Retry-After` honoured: a PSA asking for more is asked again after this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60 * 60);

/// A `Retry-After` value (seconds, or an HTTP date) as a wait from `now`, capped at
/// [`MAX_RETRY_AFTER`]; `None` when it is neither.
pub fn retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
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
fn transport(e: &reqwest::Error) -> HttpError {
    let mut chain = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    let tls = looks_like_tls(&chain.join(" "));
    let cause = chain.pop().unwrap_or_default();
    if tls {
        return HttpError::Tls(cause);
    }
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let text = if cause.is_empty() {
        what.to_owned()
    } else {
        format!("{what}: {cause}")
    };
    // A connection that was never made carried no request: the PSA cannot have it.
    if e.is_connect() && !e.is_timeout() {
        HttpError::Unreachable(text)
    } else {
        HttpError::Lost(text)
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
/// the network: reqwest gives no typed way to tell, so this is the one place that reads text.
fn looks_like_tls(text: &str) -> bool {
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
