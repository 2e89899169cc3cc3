//! A finished answer (status + JSON body), storable so that an idempotent replay can repeat it.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A status code and a JSON body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Reply {
    /// The HTTP status code.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
}

impl Reply {
    /// A reply with this status and body.
    pub fn new(status: StatusCode, body: Value) -> Self {
        Self {
            status: status.as_u16(),
            body,
        }
    }

    /// `400 {"error": message, "field": field}`.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            json!({ "error": message.into(), "field": field }),
        )
    }

    /// An error with a fixed code and no field, e.g. `404 {"error":"not_found"}`.
    pub fn error(status: StatusCode, code: &str) -> Self {
        Self::new(status, json!({ "error": code }))
    }

    /// `404 {"error":"not_found"}`.
    pub fn not_found() -> Self {
        Self::error(StatusCode::NOT_FOUND, "not_found")
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        // A status that was valid when stored stays valid; the fallback only guards a hand-edited state file.
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.body)).into_response()
    }
}
