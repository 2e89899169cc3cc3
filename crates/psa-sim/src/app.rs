//! The state every handler shares, and the router that puts the three parts together.

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};

use crate::config::SimConfig;
use crate::faults::{self, FaultState};
use crate::ncentral::{self, Ncentral};
use crate::reply::Reply;
use crate::state::{Applied, State, Store};
use crate::{control, one_psa};

/// What the handlers share.
#[derive(Clone)]
pub(crate) struct App {
    /// Tickets and idempotency records.
    pub store: Arc<Store>,
    /// Faults in force.
    pub faults: Arc<FaultState>,
    /// The One PSA key and tenants.
    pub psa: Arc<PsaSettings>,
    /// The N-central credentials and issued tokens.
    pub ncentral: Arc<Ncentral>,
}

/// The One PSA side's settings.
pub(crate) struct PsaSettings {
    /// The `X-Integration-Key` every call must carry.
    pub key: String,
    /// `(tenant_id, company)`, in display order.
    pub tenants: Vec<(String, String)>,
}

impl PsaSettings {
    /// The company a tenant maps to, if the key may use the tenant.
    pub fn company(&self, tenant_id: &str) -> Option<&str> {
        self.tenants
            .iter()
            .find(|(id, _)| id == tenant_id)
            .map(|(_, company)| company.as_str())
    }
}

impl App {
    /// Shared state for a simulator started with `config` over `store`.
    pub fn new(config: SimConfig, store: Store) -> Self {
        Self {
            store: Arc::new(store),
            faults: Arc::new(FaultState::new(config.faults)),
            psa: Arc::new(PsaSettings {
                key: config.key,
                tenants: config.tenants,
            }),
            ncentral: Arc::new(Ncentral::new(config.ncentral)),
        }
    }

    /// Runs a write under the request's `Idempotency-Key` (if any) and answers it.
    pub fn write(
        &self,
        headers: &HeaderMap,
        apply: impl FnOnce(&mut State) -> Applied,
    ) -> Response {
        let key = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .filter(|k| !k.is_empty());
        match self.store.write(key, apply) {
            Ok(reply) => reply.into_response(),
            Err(e) => {
                tracing::error!(error = %e, "write applied in memory but not saved");
                Reply::error(StatusCode::INTERNAL_SERVER_ERROR, "state_not_saved").into_response()
            }
        }
    }
}

/// Both APIs under `/api` (with faults) and the controls under `/_sim` (without), all under
/// `base_path` when it is not empty.
pub(crate) fn router(app: App, base_path: &str) -> Router {
    let api =
        one_psa::routes(&app)
            .merge(ncentral::routes(&app))
            .layer(middleware::from_fn_with_state(
                app.faults.clone(),
                faults::inject,
            ));
    let routes = api.merge(control::routes()).with_state(app);
    if base_path.is_empty() {
        routes
    } else {
        Router::new().nest(base_path, routes)
    }
}
