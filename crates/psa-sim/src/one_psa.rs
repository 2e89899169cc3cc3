//! The One PSA integration API (docs/psa-contract.md §1): health, tickets, notes, resolution, time entries.

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::app::App;
use crate::body::Fields;
use crate::model::{Note, Resolution, Ticket, TicketStatus, TimeEntry};
use crate::reply::Reply;
use crate::state::Applied;

/// The `/api/v1` routes, each behind the `X-Integration-Key` check.
pub(crate) fn routes(app: &App) -> Router<App> {
    Router::new()
        .route("/api/v1/health", get(health))
        .route("/api/v1/tickets", post(create_ticket))
        .route("/api/v1/tickets/{id}", get(get_ticket))
        .route("/api/v1/tickets/{id}/notes", post(add_note))
        .route("/api/v1/tickets/{id}/resolution", post(resolve))
        .route("/api/v1/tickets/{id}/time-entries", post(add_time_entry))
        .route_layer(middleware::from_fn_with_state(app.clone(), require_key))
}

async fn require_key(State(app): State<App>, req: Request, next: Next) -> Response {
    let key = req
        .headers()
        .get("x-integration-key")
        .and_then(|v| v.to_str().ok());
    if key == Some(app.psa.key.as_str()) {
        next.run(req).await
    } else {
        Reply::error(StatusCode::UNAUTHORIZED, "unauthorized").into_response()
    }
}

async fn health(State(app): State<App>) -> Json<serde_json::Value> {
    let tenants: Vec<&str> = app.psa.tenants.iter().map(|(id, _)| id.as_str()).collect();
    Json(json!({ "status": "ok", "tenants": tenants }))
}

async fn get_ticket(State(app): State<App>, Path(id): Path<String>) -> Response {
    match app.store.read(|s| s.ticket(&id).map(|(_, t)| t.clone())) {
        Some(ticket) => Json(ticket).into_response(),
        None => Reply::not_found().into_response(),
    }
}

/// A ticket's JSON; the model holds only strings, numbers and lists, so this cannot fail.
fn ticket_json(ticket: &Ticket) -> serde_json::Value {
    serde_json::to_value(ticket).unwrap_or_default()
}

async fn create_ticket(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    app.write(&headers, |state| {
        let new = match NewTicket::parse(&body) {
            Ok(new) => new,
            Err(reply) => return Applied::nothing(reply),
        };
        let Some(company) = app.psa.company(&new.tenant_id) else {
            return Applied::nothing(Reply::error(StatusCode::FORBIDDEN, "tenant_forbidden"));
        };
        let (seq, ticket) = state.insert_ticket(|id| new.into_ticket(id, company.to_owned()));
        Applied::changed(seq, Reply::new(StatusCode::CREATED, ticket_json(ticket)))
    })
}

/// The body of `POST /api/v1/tickets`, validated.
struct NewTicket {
    title: String,
    description: String,
    source: String,
    priority: String,
    tenant_id: String,
    org_id: Option<serde_json::Value>,
    assigned_tech: Option<String>,
    created_at: String,
    external_ref: Option<String>,
}

impl NewTicket {
    fn parse(body: &[u8]) -> Result<Self, Reply> {
        let f = Fields::parse(body)?;
        let priority = f.text("priority")?;
        if !["P1", "P2", "P3", "P4"].contains(&priority.as_str()) {
            return Err(Reply::invalid(
                "priority",
                "priority must be one of P1, P2, P3, P4",
            ));
        }
        Ok(Self {
            title: f.text("title")?,
            description: f.optional_text("description")?.unwrap_or_default(),
            source: f.text("source")?,
            priority,
            tenant_id: f.text("tenant_id")?,
            org_id: f.any("org_id"),
            assigned_tech: f.optional_text("assigned_tech")?,
            created_at: f.timestamp("created_at")?.0,
            external_ref: f.optional_text("external_ref")?,
        })
    }

    fn into_ticket(self, id: String, company: String) -> Ticket {
        Ticket {
            id,
            title: self.title,
            description: self.description,
            source: self.source,
            priority: self.priority,
            tenant_id: self.tenant_id,
            company,
            org_id: self.org_id,
            assigned_tech: self.assigned_tech,
            created_at: self.created_at,
            external_ref: self.external_ref,
            status: TicketStatus::New,
            notes: Vec::new(),
            resolution: None,
            time_entries: Vec::new(),
        }
    }
}

async fn add_note(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    app.write(&headers, |state| {
        let Some((seq, ticket, ids)) = state.ticket_mut(&id) else {
            return Applied::nothing(Reply::not_found());
        };
        let parsed = Fields::parse(&body).and_then(|f| {
            Ok(Note {
                id: String::new(),
                body: f.text("body")?,
                internal: f.flag("internal", Some(true))?,
                author: f.text("author")?,
                created_at: f.timestamp("created_at")?.0,
                external_ref: f.optional_text("external_ref")?,
            })
        });
        let mut note = match parsed {
            Ok(note) => note,
            Err(reply) => return Applied::unchanged(seq, reply),
        };
        note.id = ids.note_id();
        let reply = Reply::new(StatusCode::CREATED, json!({ "id": note.id }));
        ticket.notes.push(note);
        if ticket.status == TicketStatus::New {
            ticket.status = TicketStatus::InProgress;
        }
        Applied::changed(seq, reply)
    })
}

async fn resolve(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    app.write(&headers, |state| {
        let Some((seq, ticket, _)) = state.ticket_mut(&id) else {
            return Applied::nothing(Reply::not_found());
        };
        let parsed = Fields::parse(&body).and_then(|f| {
            Ok(Resolution {
                resolved_at: f.timestamp("resolved_at")?.0,
                resolved_by: f.text("resolved_by")?,
                summary: f.optional_text("summary")?,
            })
        });
        let resolution = match parsed {
            Ok(resolution) => resolution,
            Err(reply) => return Applied::unchanged(seq, reply),
        };
        if ticket.status == TicketStatus::Completed {
            return Applied::unchanged(seq, Reply::error(StatusCode::CONFLICT, "already_closed"));
        }
        ticket.status = TicketStatus::Completed;
        ticket.resolution = Some(resolution);
        Applied::changed(seq, Reply::new(StatusCode::OK, ticket_json(ticket)))
    })
}

async fn add_time_entry(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    app.write(&headers, |state| {
        let Some((seq, ticket, ids)) = state.ticket_mut(&id) else {
            return Applied::nothing(Reply::not_found());
        };
        let parsed = Fields::parse(&body).and_then(|f| {
            let (started_at, started) = f.timestamp("started_at")?;
            let (ended_at, ended) = f.timestamp("ended_at")?;
            if ended < started {
                return Err(Reply::invalid(
                    "ended_at",
                    "ended_at must not be before started_at",
                ));
            }
            Ok(TimeEntry {
                id: String::new(),
                started_at,
                ended_at,
                minutes: f.positive_int("minutes")?,
                billable: f.flag("billable", None)?,
                work_type: f.text("work_type")?,
                note: f.optional_text("note")?,
                technician: f.text("technician")?,
                external_ref: f.optional_text("external_ref")?,
            })
        });
        let mut entry = match parsed {
            Ok(entry) => entry,
            Err(reply) => return Applied::unchanged(seq, reply),
        };
        // Time is often logged at close-out, so a Completed ticket still takes entries.
        entry.id = ids.time_entry_id();
        let reply = Reply::new(StatusCode::CREATED, json!({ "id": entry.id }));
        ticket.time_entries.push(entry);
        Applied::changed(seq, reply)
    })
}
