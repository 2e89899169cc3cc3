//! The `/_sim/` controls (README.md): inspection, closing by hand, faults, reset. No auth,
//! no faults.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::Value;

use crate::app::App;
use crate::body::Fields;
use crate::config::{ConfigError, Faults};
use crate::model::SimTicket;
use crate::persist::StateError;
use crate::reply::Reply;

/// The `/_sim` routes.
pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/_sim/tickets", get(tickets))
        .route("/_sim/tickets/{id}/close", post(close))
        .route("/_sim/faults", get(get_faults).put(put_faults))
        .route("/_sim/tenants/{id}", put(grant_tenant))
        .route("/_sim/requests", get(requests))
        .route("/_sim/reset", post(reset))
}

async fn tickets(State(app): State<App>) -> Json<Vec<SimTicket>> {
    Json(app.store.read(|s| s.sim_tickets().cloned().collect()))
}

fn not_saved(e: &StateError) -> Response {
    tracing::error!(error = %e, "state not saved");
    Reply::error(StatusCode::INTERNAL_SERVER_ERROR, "state_not_saved").into_response()
}

async fn close(State(app): State<App>, Path(id): Path<String>) -> Response {
    match app.store.close_by_hand(&id) {
        Ok(Some(ticket)) => Json(ticket).into_response(),
        Ok(None) => Reply::not_found().into_response(),
        Err(e) => not_saved(&e),
    }
}

async fn get_faults(State(app): State<App>) -> Json<Faults> {
    Json(app.faults.get())
}

/// Changes the faults named in the body and keeps the others; answers the faults now in force.
async fn put_faults(State(app): State<App>, body: Bytes) -> Response {
    let patch = match Fields::parse(&body) {
        Ok(fields) => fields.into_map(),
        Err(reply) => return reply.into_response(),
    };
    match patched(app.faults.get(), patch) {
        Ok(faults) => {
            app.faults.set(faults.clone());
            Json(faults).into_response()
        }
        Err(reply) => reply.into_response(),
    }
}

/// `current` with the fields in `patch` replaced, checked field by field so that a 400 names the
/// field at fault.
fn patched(current: Faults, patch: serde_json::Map<String, Value>) -> Result<Faults, Reply> {
    let mut faults = current;
    for (field, value) in patch {
        let mut fields = match serde_json::to_value(&faults) {
            Ok(Value::Object(fields)) => fields,
            _ => return Err(Reply::invalid("$", "faults are not a JSON object")),
        };
        if !fields.contains_key(&field) {
            return Err(Reply::invalid(&field, format!("unknown fault {field}")));
        }
        fields.insert(field.clone(), value);
        faults = serde_json::from_value(Value::Object(fields))
            .map_err(|e| Reply::invalid(&field, format!("{field}: {e}")))?;
    }
    faults.validate().map_err(|e| match e {
        ConfigError::Fault { field, .. } => Reply::invalid(field, e.to_string()),
        other => Reply::invalid("$", other.to_string()),
    })?;
    Ok(faults)
}

/// Lets the key use a tenant from now on (`{"company": "..."}`), as a PSA administrator granting
/// the integration access to a client would; answers the tenants now allowed.
async fn grant_tenant(State(app): State<App>, Path(id): Path<String>, body: Bytes) -> Response {
    let company = match Fields::parse(&body).and_then(|f| f.text("company")) {
        Ok(company) => company,
        Err(reply) => return reply.into_response(),
    };
    if id.trim().is_empty() {
        return Reply::invalid("id", "tenant id must not be empty").into_response();
    }
    app.psa.grant(&id, &company);
    let tenants: Vec<Value> = app
        .psa
        .tenants()
        .into_iter()
        .map(|(id, company)| serde_json::json!({ "id": id, "company": company }))
        .collect();
    Json(tenants).into_response()
}

/// How many `/api` requests reached the simulator so far (counted on arrival), and how many of
/// them the rate limit answered 429.
async fn requests(State(app): State<App>) -> Json<Value> {
    Json(serde_json::json!({
        "received": app.received.load(std::sync::atomic::Ordering::SeqCst),
        "rate_limited": app.faults.rate_limited(),
    }))
}

async fn reset(State(app): State<App>) -> Response {
    match app.store.reset() {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => not_saved(&e),
    }
}
