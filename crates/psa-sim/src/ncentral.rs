//! The N-central PSA integration API (docs/psa-contract.md §2): HAL links, credential validation,
//! custom-PSA ticket look-up, and the token exchange.

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard, PoisonError};

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::Timestamp;
use jiff::fmt::temporal::DateTimePrinter;
use serde_json::{Value, json};

use crate::app::App;
use crate::body::Fields;
use crate::config::{NcentralConfig, PsaType};
use crate::model::Ticket;
use crate::reply::Reply;

/// The zone `creationDate` is given in, as in N-able's example.
const CREATION_ZONE: &str = "America/New_York";
/// Lifetimes the token exchange announces; the simulator never expires a token.
const ACCESS_EXPIRY_SECONDS: u64 = 3600;
const REFRESH_EXPIRY_SECONDS: u64 = 90_000;

/// The N-central settings and the tokens issued so far.
pub(crate) struct Ncentral {
    config: NcentralConfig,
    tokens: Mutex<Tokens>,
}

#[derive(Default)]
struct Tokens {
    access: HashSet<String>,
    refresh: HashSet<String>,
}

impl Ncentral {
    /// No tokens issued yet.
    pub fn new(config: NcentralConfig) -> Self {
        Self {
            config,
            tokens: Mutex::new(Tokens::default()),
        }
    }

    /// The User-API token itself, or an access token it was exchanged for.
    fn accepts_bearer(&self, token: &str) -> bool {
        token == self.config.jwt || self.tokens().access.contains(token)
    }

    /// Issues a fresh access and refresh token pair, in N-central's response shape.
    fn issue_tokens(&self) -> Value {
        let access = format!("nc-access-{}", uuid::Uuid::new_v4());
        let refresh = format!("nc-refresh-{}", uuid::Uuid::new_v4());
        let mut tokens = self.tokens();
        tokens.access.insert(access.clone());
        tokens.refresh.insert(refresh.clone());
        json!({
            "tokens": {
                "access": { "token": access, "type": "Bearer", "expirySeconds": ACCESS_EXPIRY_SECONDS },
                "refresh": { "token": refresh, "type": "Bearer", "expirySeconds": REFRESH_EXPIRY_SECONDS },
            }
        })
    }

    /// Token sets are only ever inserted into, so a poisoned lock still holds valid sets.
    fn tokens(&self) -> MutexGuard<'_, Tokens> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The N-central routes: the PSA calls behind the Bearer check (POSTs also behind the
/// `INTEGRATION-KEY` check), and the token exchange.
pub(crate) fn routes(app: &App) -> Router<App> {
    let posts = Router::new()
        .route(
            "/api/standard-psa/{psa_type}/credential",
            post(validate_credential),
        )
        .route("/api/custom-psa/tickets/{ticket_id}", post(ticket_info))
        .route_layer(middleware::from_fn_with_state(
            app.clone(),
            require_integration_key,
        ));
    let psa = Router::new()
        .route("/api/standard-psa", get(standard_psa))
        .route("/api/custom-psa", get(custom_psa))
        .route("/api/custom-psa/tickets", get(custom_psa_tickets))
        .merge(posts)
        .route_layer(middleware::from_fn_with_state(app.clone(), require_bearer));
    Router::new()
        .route("/api/auth/authenticate", post(authenticate))
        .route("/api/auth/refresh", post(refresh))
        .merge(psa)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn unauthorized() -> Response {
    Reply::error(StatusCode::UNAUTHORIZED, "unauthorized").into_response()
}

async fn require_bearer(State(app): State<App>, req: Request, next: Next) -> Response {
    match bearer(req.headers()) {
        Some(token) if app.ncentral.accepts_bearer(token) => next.run(req).await,
        _ => unauthorized(),
    }
}

async fn require_integration_key(State(app): State<App>, req: Request, next: Next) -> Response {
    let key = req
        .headers()
        .get("integration-key")
        .and_then(|v| v.to_str().ok());
    if key == Some(app.ncentral.config.integration_key.as_str()) {
        next.run(req).await
    } else {
        Reply::error(StatusCode::FORBIDDEN, "invalid_integration_key").into_response()
    }
}

async fn standard_psa() -> Json<Value> {
    Json(json!({
        "_links": { "standard-psa-validate-credential": "/api/standard-psa/{psaType}/credential" }
    }))
}

async fn custom_psa() -> Json<Value> {
    Json(json!({
        "_links": {
            "custom-psa-ticket-info": "/api/custom-psa/tickets/{customPsaTicketId}",
            "custom-psa-tickets": "/api/custom-psa/tickets",
        }
    }))
}

async fn custom_psa_tickets(State(app): State<App>) -> Json<Value> {
    let data: Vec<Value> = app.store.read(|s| {
        s.sim_tickets()
            .map(|t| ticket_info_json(&t.ticket))
            .collect()
    });
    Json(json!({
        "data": data,
        "_links": { "custom-psa-ticket-info": "/api/custom-psa/tickets/{customPsaTicketId}" }
    }))
}

/// The `username` and `password` every N-central POST body carries.
fn credentials(body: &[u8]) -> Result<(String, String), Reply> {
    let f = Fields::parse(body)?;
    Ok((f.text("username")?, f.text("password")?))
}

async fn validate_credential(
    State(app): State<App>,
    Path(psa_type): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(psa_type) = psa_type.parse::<PsaType>() else {
        return Reply::error(StatusCode::BAD_REQUEST, "unsupported_psa_type").into_response();
    };
    let (username, password) = match credentials(&body) {
        Ok(pair) => pair,
        Err(reply) => return reply.into_response(),
    };
    let valid = app
        .ncentral
        .config
        .psa_credentials
        .iter()
        .any(|c| c.psa_type == psa_type && c.username == username && c.password == password);
    Json(json!({ "data": { "isPsaCredentialsValid": valid }, "_links": {} })).into_response()
}

async fn ticket_info(
    State(app): State<App>,
    Path(ticket_id): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(reply) = credentials(&body) {
        return reply.into_response();
    }
    match app
        .store
        .read(|s| s.ticket(&ticket_id).map(|(_, t)| ticket_info_json(t)))
    {
        Some(data) => Json(json!({ "data": data, "_links": {} })).into_response(),
        None => Reply::not_found().into_response(),
    }
}

/// A ticket as N-central's custom-PSA ticket info shows it.
fn ticket_info_json(ticket: &Ticket) -> Value {
    json!({
        "ticketId": ticket.id,
        "ticketTitle": ticket.title,
        "ticketDetails": ticket.description,
        "ticketStatus": ticket.status.as_str(),
        "creationDate": creation_date(&ticket.created_at),
    })
}

/// `created_at` in N-central's zoned form, e.g. `2024-02-21T06:28:10.624-05:00[America/New_York]`.
fn creation_date(created_at: &str) -> String {
    // `created_at` was validated as a timestamp when the ticket was created, and the zone is
    // bundled with the binary, so the fallback to the raw value is never expected.
    created_at
        .parse::<Timestamp>()
        .and_then(|ts| ts.in_tz(CREATION_ZONE))
        .map(|zoned| {
            DateTimePrinter::new()
                .precision(Some(3))
                .zoned_to_string(&zoned)
        })
        .unwrap_or_else(|_| created_at.to_owned())
}

async fn authenticate(State(app): State<App>, headers: HeaderMap) -> Response {
    match bearer(&headers) {
        Some(token) if token == app.ncentral.config.jwt => {
            Json(app.ncentral.issue_tokens()).into_response()
        }
        _ => unauthorized(),
    }
}

/// The refresh token comes as the plain-text body, as N-central takes it; a JSON string or
/// `{"refreshToken": ..}` is accepted too.
async fn refresh(State(app): State<App>, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body);
    let token = match serde_json::from_str::<Value>(&text) {
        Ok(Value::String(s)) => s,
        Ok(Value::Object(map)) => map
            .get("refreshToken")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        _ => text.trim().to_owned(),
    };
    let known = app.ncentral.tokens().refresh.contains(&token);
    if known {
        Json(app.ncentral.issue_tokens()).into_response()
    } else {
        unauthorized()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_date_has_the_zoned_form() {
        assert_eq!(
            creation_date("2024-02-21T11:28:10.624Z"),
            "2024-02-21T06:28:10.624-05:00[America/New_York]"
        );
        assert_eq!(
            creation_date("2024-07-01T12:00:00+02:00"),
            "2024-07-01T06:00:00.000-04:00[America/New_York]"
        );
    }
}
