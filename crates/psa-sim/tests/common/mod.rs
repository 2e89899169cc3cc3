//! A simulator started in-process on loopback, and a client for it.

use psa_sim::{RunningSim, SimConfig, SimTicket};
use serde_json::{Value, json};

/// The One PSA integration key every test simulator uses.
pub const KEY: &str = "test-key";

/// A config with the test key and two tenants.
pub fn config() -> SimConfig {
    SimConfig::new(KEY)
        .tenant("acme", "ACME Corp")
        .tenant("globex", "Globex Inc")
}

/// A valid `POST /api/v1/tickets` body for `tenant`.
pub fn new_ticket(tenant: &str) -> Value {
    json!({
        "title": "Disk almost full on FS01",
        "description": "C: at 97%",
        "source": "On-Call Auto",
        "priority": "P2",
        "tenant_id": tenant,
        "org_id": 42,
        "assigned_tech": "dana",
        "created_at": "2024-02-21T11:28:10.624Z",
        "external_ref": "inc-1",
    })
}

/// A running simulator and an HTTP client that never goes through a proxy.
pub struct Sim {
    pub sim: RunningSim,
    pub http: reqwest::Client,
}

impl Sim {
    /// Starts a simulator on an ephemeral loopback port.
    pub async fn start(config: SimConfig) -> Self {
        let sim = psa_sim::start(config, "127.0.0.1:0".parse().unwrap())
            .await
            .expect("simulator starts");
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        Self { sim, http }
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url())
    }

    /// `POST /api/v1/tickets` with the key and, if given, an `Idempotency-Key`.
    pub async fn create_ticket(
        &self,
        body: &Value,
        idempotency_key: Option<&str>,
    ) -> reqwest::Result<reqwest::Response> {
        let mut req = self
            .http
            .post(self.url("/api/v1/tickets"))
            .header("X-Integration-Key", KEY)
            .json(body);
        if let Some(k) = idempotency_key {
            req = req.header("Idempotency-Key", k);
        }
        req.send().await
    }

    /// `GET /_sim/requests`: the counters of `/api` requests.
    #[allow(
        dead_code,
        reason = "each test binary compiles this module; not all ask for counts"
    )]
    pub async fn request_counts(&self) -> Value {
        let resp = self
            .http
            .get(self.url("/_sim/requests"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    }

    /// `GET /_sim/tickets`.
    pub async fn sim_tickets(&self) -> Vec<SimTicket> {
        let resp = self
            .http
            .get(self.url("/_sim/tickets"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    }
}
