//! The state every handler shares, and the router that puts the three parts together.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, PoisonError, RwLock};

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
    /// How many `/api` requests arrived, counted before faults and latency apply.
    pub received: Arc<AtomicU64>,
}

/// The One PSA side's settings.
pub(crate) struct PsaSettings {
    /// The `X-Integration-Key` every call must carry.
    pub key: String,
    /// `(tenant_id, company)`, in display order; granted more at run time under `/_sim`.
    tenants: RwLock<Vec<(String, String)>>,
}

impl PsaSettings {
    /// The company a tenant maps to, if the key may use the tenant.
    pub fn company(&self, tenant_id: &str) -> Option<String> {
        self.tenants()
            .into_iter()
            .find(|(id, _)| id == tenant_id)
            .map(|(_, company)| company)
    }

    /// The tenants the key may use, in display order.
    pub fn tenants(&self) -> Vec<(String, String)> {
        self.tenants
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Lets the key use `tenant_id`, mapped to `company` (renaming it if already granted).
    pub fn grant(&self, tenant_id: &str, company: &str) {
        let mut tenants = self.tenants.write().unwrap_or_else(PoisonError::into_inner);
        match tenants.iter_mut().find(|(id, _)| id == tenant_id) {
            Some((_, c)) => *c = company.to_owned(),
            None => tenants.push((tenant_id.to_owned(), company.to_owned())),
        }
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
                tenants: RwLock::new(config.tenants),
            }),
            ncentral: Arc::new(Ncentral::new(config.ncentral)),
            received: Arc::default(),
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
    let api = one_psa::routes(&app)
        .merge(ncentral::routes(&app))
        .layer(middleware::from_fn_with_state(
            app.faults.clone(),
            faults::inject,
        ))
        .layer(middleware::from_fn_with_state(
            app.received.clone(),
            faults::count,
        ));
    let routes = api.merge(control::routes()).with_state(app);
    if base_path.is_empty() {
        routes
    } else {
        Router::new().nest(base_path, routes)
    }
}
