//! psa-sim running in the test process, on loopback, on a runtime of its own: the `oncall`
//! processes under test talk to it over real HTTP.

use psa_sim::{Faults, RunningSim, SimConfig, SimTicket};
use serde_json::Value;

/// The service key every test simulator accepts.
pub const KEY: &str = "test-service-key";

/// A running simulator.
pub struct Sim {
    rt: tokio::runtime::Runtime,
    sim: Option<RunningSim>,
    http: reqwest::Client,
}

impl Sim {
    /// Starts a simulator that knows tenants `acme` (ACME Corp) and `globex` (Globex Inc).
    pub fn start() -> Self {
        Self::with(
            SimConfig::new(KEY)
                .tenant("acme", "ACME Corp")
                .tenant("globex", "Globex Inc"),
        )
    }

    /// Starts a simulator with `config`.
    pub fn with(config: SimConfig) -> Self {
        Self::at(config, "127.0.0.1:0".parse().expect("addr"))
    }

    /// Starts a simulator with `config` listening on `addr`: a fixed port lets a test stop the
    /// PSA and bring it back where the app expects it.
    pub fn at(config: SimConfig, addr: std::net::SocketAddr) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let sim = rt
            .block_on(psa_sim::start(config, addr))
            .expect("psa-sim starts");
        Self {
            rt,
            sim: Some(sim),
            http: reqwest::Client::new(),
        }
    }

    /// The base URL to give `oncall` as `PSA_API_URL`.
    pub fn url(&self) -> String {
        self.sim.as_ref().expect("running").base_url()
    }

    /// Every ticket with its notes, resolution and write counts.
    pub fn tickets(&self) -> Vec<SimTicket> {
        let url = format!("{}/_sim/tickets", self.url());
        self.rt.block_on(async {
            self.http
                .get(url)
                .send()
                .await
                .expect("GET /_sim/tickets")
                .json()
                .await
                .expect("tickets JSON")
        })
    }

    /// The ticket with this id.
    pub fn ticket(&self, id: &str) -> SimTicket {
        self.tickets()
            .into_iter()
            .find(|t| t.ticket.id == id)
            .unwrap_or_else(|| panic!("no ticket {id} in the simulator"))
    }

    /// Closes a ticket by hand, as a PSA user would.
    pub fn close_by_hand(&self, id: &str) {
        let url = format!("{}/_sim/tickets/{id}/close", self.url());
        self.rt.block_on(async {
            let r = self.http.post(url).send().await.expect("close");
            assert!(r.status().is_success(), "close answered {}", r.status());
        });
    }

    /// Changes the faults live.
    pub fn set_faults(&self, faults: &Faults) {
        let url = format!("{}/_sim/faults", self.url());
        self.rt.block_on(async {
            let r = self
                .http
                .put(url)
                .json(faults)
                .send()
                .await
                .expect("faults");
            assert!(r.status().is_success(), "faults answered {}", r.status());
        });
    }

    /// Lets the service key use `tenant` from now on, as a PSA administrator granting access.
    pub fn grant_tenant(&self, tenant: &str, company: &str) {
        let url = format!("{}/_sim/tenants/{tenant}", self.url());
        self.rt.block_on(async {
            let r = self
                .http
                .put(url)
                .json(&serde_json::json!({ "company": company }))
                .send()
                .await
                .expect("grant");
            assert!(r.status().is_success(), "grant answered {}", r.status());
        });
    }

    /// How many `/api` requests have reached the simulator (counted on arrival, before any
    /// latency): tells a test that a request is out even while its answer is held back.
    pub fn requests_received(&self) -> u64 {
        self.request_count("received")
    }

    /// How many `/api` requests the rate limit answered 429 so far.
    pub fn rate_limited(&self) -> u64 {
        self.request_count("rate_limited")
    }

    /// One counter of `/_sim/requests`.
    fn request_count(&self, counter: &str) -> u64 {
        let url = format!("{}/_sim/requests", self.url());
        self.rt.block_on(async {
            let v: Value = self
                .http
                .get(url)
                .send()
                .await
                .expect("GET /_sim/requests")
                .json()
                .await
                .expect("json");
            v[counter].as_u64().expect(counter)
        })
    }

    /// Waits (up to 10 s) until more than `before` requests have reached the simulator.
    pub fn wait_for_request_after(&self, before: u64) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while self.requests_received() <= before {
            assert!(
                std::time::Instant::now() < deadline,
                "no request reached the simulator"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Creates a ticket directly in the PSA (as someone would by hand), returning its id.
    pub fn create_ticket_by_hand(&self, tenant: &str, title: &str) -> String {
        let url = format!("{}/api/v1/tickets", self.url());
        let body = serde_json::json!({
            "title": title, "description": "opened by hand", "source": "Phone",
            "priority": "P3", "tenant_id": tenant, "org_id": "x", "assigned_tech": "Desk",
            "created_at": "2026-01-01T00:00:00Z", "external_ref": null
        });
        self.rt.block_on(async {
            let v: Value = self
                .http
                .post(url)
                .header("X-Integration-Key", KEY)
                .json(&body)
                .send()
                .await
                .expect("create")
                .json()
                .await
                .expect("json");
            v["id"].as_str().expect("id").to_owned()
        })
    }

    /// Stops the simulator (the PSA goes away).
    pub fn stop(&mut self) {
        if let Some(sim) = self.sim.take() {
            self.rt.block_on(sim.shutdown());
        }
    }
}

/// Every fault at once: 5xx answers, dropped connections, lost responses, garbled answers and a
/// rate limit tight enough to be hit often.
pub fn every_fault() -> Faults {
    Faults {
        rate_limit: Some(60.0),
        fail_rate: 0.2,
        drop_rate: 0.05,
        lose_response_rate: 0.1,
        garble_rate: 0.05,
        latency_ms: 0,
    }
}
