//! The One PSA's ticket API: create ticket, add internal note, resolve, get ticket, health.

use reqwest::{Client, Method, Request};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::{PsaConfig, PsaError, http};
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
        let http = http::client(&config.url).map_err(PsaError::Transient)?;
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

    /// Sends one request and maps the answer.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        idempotency_key: Option<&str>,
        body: Option<&impl Serialize>,
    ) -> Result<T, PsaError> {
        let req = self.request(method, path, idempotency_key, body)?;
        // Read as JSON first: a body that is not JSON at all came from something between us
        // and the PSA (a proxy's page) and is retried; JSON without what the contract promises
        // is the PSA's own answer, which a replay would only repeat.
        let value: serde_json::Value = http::send(&self.http, req).await?;
        serde_json::from_value(value).map_err(|e| PsaError::Incomplete(e.to_string()))
    }

    /// A request to `path` under the base URL; the key goes in a sensitive header and nowhere
    /// else.
    fn request(
        &self,
        method: Method,
        path: &str,
        idempotency_key: Option<&str>,
        body: Option<&impl Serialize>,
    ) -> Result<Request, PsaError> {
        let invalid = |message: String| PsaError::Invalid {
            message,
            field: None,
        };
        let url = self
            .config
            .url
            .join(path)
            .map_err(|e| invalid(format!("cannot build the URL: {e}")))?;
        let key = http::sensitive(self.config.key.expose()).ok_or_else(|| {
            invalid("the service key contains characters a header cannot carry".into())
        })?;
        let mut req = self
            .http
            .request(method, url)
            .header("X-Integration-Key", key);
        if let Some(key) = idempotency_key {
            req = req.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        req.build()
            .map_err(|e| invalid(format!("cannot build the request: {e}")))
    }
}

/// A ticket id as one URL path segment, so an odd id cannot change the path.
fn segment(id: &str) -> Result<String, PsaError> {
    http::path_segment(id).ok_or_else(|| PsaError::Invalid {
        message: format!("'{id}' is not a ticket id"),
        field: Some("ticket_id".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::Secret;

    #[test]
    fn ticket_ids_cannot_escape_their_path_segment() {
        assert_eq!(segment("T-1001"), Ok("T-1001".into()));
        assert_eq!(segment("../admin"), Ok("..%2Fadmin".into()));
        assert_eq!(segment("a b?c#"), Ok("a%20b%3Fc%23".into()));
        assert!(segment("..").is_err());
    }

    #[test]
    fn the_service_key_header_is_sensitive() {
        let config = PsaConfig::new("https://psa.example/base", Secret::new("k")).expect("config");
        let client = OnePsaClient::new(config).expect("client");
        let req = client
            .request(Method::GET, "api/v1/health", Some("idem"), None::<&()>)
            .expect("request");
        assert!(req.headers()["x-integration-key"].is_sensitive());
        assert_eq!(req.url().as_str(), "https://psa.example/base/api/v1/health");
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
