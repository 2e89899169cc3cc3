//! The One PSA's ticket API: create ticket, add internal note, resolve, get ticket, health.

use reqwest::{Client, Method, StatusCode};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::{
    PsaConfig, PsaError,
    http::{self, Failure},
};
use crate::domain::{NoteRequest, ResolutionRequest, TicketRequest, TimeEntryRequest};

/// A client of The One PSA's integration API.
#[derive(Debug, Clone)]
pub struct OnePsaClient {
    http: Client,
    config: PsaConfig,
}

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok` when healthy.
    pub status: String,
    /// The tenant ids the key may use.
    #[serde(default)]
    pub tenants: Vec<String>,
}

/// The answer to a ticket creation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CreatedTicket {
    /// The PSA's ticket id.
    pub id: String,
}

/// A ticket's status in the PSA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TicketStatus {
    /// Just created.
    New,
    /// Being worked on.
    #[serde(rename = "In Progress")]
    InProgress,
    /// Closed (by us or by hand).
    Completed,
    /// A status this version does not know; treated as open.
    #[serde(untagged)]
    Other(String),
}

/// `GET /api/v1/tickets/{id}`, the fields we use.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Ticket {
    /// The ticket id.
    pub id: String,
    /// Its status.
    pub status: TicketStatus,
    /// Its resolution, if it was resolved through the API (a ticket closed by hand has none);
    /// `None` too for one this version cannot read (e.g. missing fields).
    #[serde(default, deserialize_with = "lenient")]
    pub resolution: Option<ResolutionRequest>,
}

/// A value read if it can be, else `None`: what the app only compares against is not worth
/// failing the whole answer over.
fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value(value).ok())
}

#[derive(Deserialize)]
struct CreatedId {
    id: String,
}

impl OnePsaClient {
    /// A client for `config`, with connect and request timeouts.
    pub fn new(config: PsaConfig) -> Result<Self, PsaError> {
        let http = http::client().map_err(PsaError::Transient)?;
        Ok(Self { http, config })
    }

    /// Checks the connection and the key; lists the tenants the key may use.
    pub async fn health(&self) -> Result<Health, PsaError> {
        self.call(Method::GET, "api/v1/health", None, None::<&()>)
            .await
    }

    /// Creates a ticket. `idempotency_key` makes a retry return the same ticket.
    pub async fn create_ticket(
        &self,
        ticket: &TicketRequest,
        idempotency_key: &str,
    ) -> Result<CreatedTicket, PsaError> {
        let created: CreatedId = self
            .call(
                Method::POST,
                "api/v1/tickets",
                Some(idempotency_key),
                Some(ticket),
            )
            .await?;
        Ok(CreatedTicket { id: created.id })
    }

    /// Adds an internal note; returns the PSA's note id.
    pub async fn add_note(
        &self,
        ticket_id: &str,
        note: &NoteRequest,
        idempotency_key: &str,
    ) -> Result<String, PsaError> {
        let path = format!("api/v1/tickets/{}/notes", segment(ticket_id)?);
        let created: CreatedId = self
            .call(Method::POST, &path, Some(idempotency_key), Some(note))
            .await?;
        Ok(created.id)
    }

    /// Resolves a ticket (it becomes Completed).
    pub async fn resolve(
        &self,
        ticket_id: &str,
        resolution: &ResolutionRequest,
        idempotency_key: &str,
    ) -> Result<(), PsaError> {
        let path = format!("api/v1/tickets/{}/resolution", segment(ticket_id)?);
        let _: serde_json::Value = self
            .call(Method::POST, &path, Some(idempotency_key), Some(resolution))
            .await?;
        Ok(())
    }

    /// Logs time on a ticket (accepted on a Completed ticket too); returns the PSA's entry id.
    pub async fn add_time_entry(
        &self,
        ticket_id: &str,
        entry: &TimeEntryRequest,
        idempotency_key: &str,
    ) -> Result<String, PsaError> {
        let path = format!("api/v1/tickets/{}/time-entries", segment(ticket_id)?);
        let created: CreatedId = self
            .call(Method::POST, &path, Some(idempotency_key), Some(entry))
            .await?;
        Ok(created.id)
    }

    /// Reads a ticket.
    pub async fn ticket(&self, ticket_id: &str) -> Result<Ticket, PsaError> {
        let path = format!("api/v1/tickets/{}", segment(ticket_id)?);
        self.call(Method::GET, &path, None, None::<&()>).await
    }

    /// Sends one request and maps the answer; the key goes in a header and nowhere else.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        idempotency_key: Option<&str>,
        body: Option<&impl Serialize>,
    ) -> Result<T, PsaError> {
        let url = self.config.url.join(path).map_err(|e| PsaError::Invalid {
            message: format!("cannot build the URL: {e}"),
            field: None,
        })?;
        let mut req = self
            .http
            .request(method, url)
            .header("X-Integration-Key", self.config.key.expose());
        if let Some(key) = idempotency_key {
            req = req.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| psa_error(http::transport(&e)))?;
        // Read as JSON first: a body that is not JSON at all came from something between us
        // and the PSA (a proxy's page) and is retried; JSON without what the contract promises
        // is the PSA's own answer, which a replay would only repeat.
        let value: serde_json::Value = http::read(resp).await.map_err(psa_error)?;
        serde_json::from_value(value).map_err(|e| PsaError::Incomplete(e.to_string()))
    }
}

/// A ticket id as one URL path segment, so an odd id cannot change the path.
fn segment(id: &str) -> Result<String, PsaError> {
    http::path_segment(id).ok_or_else(|| PsaError::Invalid {
        message: format!("'{id}' is not a ticket id"),
        field: Some("ticket_id".into()),
    })
}

/// The client's error for an exchange that failed.
fn psa_error(failure: Failure) -> PsaError {
    match failure {
        Failure::Transport {
            timeout,
            connect,
            cause,
            ..
        } => {
            let what = if timeout {
                "timed out"
            } else if connect {
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
            if connect && !timeout {
                PsaError::Unreachable(text)
            } else {
                PsaError::Transient(text)
            }
        }
        Failure::Malformed(m) => PsaError::Malformed(m),
        Failure::Refused(r) => match r.status {
            StatusCode::UNAUTHORIZED => PsaError::Unauthorized,
            StatusCode::FORBIDDEN => PsaError::Forbidden(r.reason),
            StatusCode::NOT_FOUND => PsaError::NotFound(r.reason),
            StatusCode::CONFLICT => PsaError::Conflict(r.reason),
            StatusCode::TOO_MANY_REQUESTS => PsaError::RateLimited(r.retry_after),
            s if s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT => {
                PsaError::Transient(format!("{} {}", s.as_u16(), r.reason))
            }
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => PsaError::Invalid {
                message: r.reason,
                field: r.field,
            },
            // Any other 4xx (405, 410, 413, ...) means the PSA will not take this request as it
            // is: retrying the same bytes cannot help.
            s if s.is_client_error() => PsaError::Rejected {
                status: s.as_u16(),
                reason: r.reason,
            },
            s => PsaError::Malformed(format!("unexpected status {} {}", s.as_u16(), r.reason)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_ids_cannot_escape_their_path_segment() {
        assert_eq!(segment("T-1001"), Ok("T-1001".into()));
        assert_eq!(segment("../admin"), Ok("..%2Fadmin".into()));
        assert_eq!(segment("a b?c#"), Ok("a%20b%3Fc%23".into()));
        assert!(segment("..").is_err());
    }

    #[test]
    fn unknown_ticket_statuses_are_kept() {
        let t: Ticket =
            serde_json::from_str(r#"{"id":"1","status":"Waiting Customer"}"#).expect("parse");
        assert_eq!(t.status, TicketStatus::Other("Waiting Customer".into()));
        let t: Ticket = serde_json::from_str(r#"{"id":"1","status":"Completed"}"#).expect("parse");
        assert_eq!(t.status, TicketStatus::Completed);
    }
}
