//! The One PSA API over real HTTP: status codes, validation, tenant mapping, idempotency.

mod common;

use common::{KEY, Sim, config, new_ticket};
use psa_sim::TicketStatus;
use serde_json::{Value, json};

impl Sim {
    /// `POST` a JSON body to a One PSA path with the key and an optional `Idempotency-Key`.
    async fn post(&self, path: &str, body: &Value, idempotency_key: Option<&str>) -> (u16, Value) {
        let mut req = self
            .http
            .post(self.url(path))
            .header("X-Integration-Key", KEY)
            .json(body);
        if let Some(k) = idempotency_key {
            req = req.header("Idempotency-Key", k);
        }
        let resp = req.send().await.unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }

    /// `GET` a One PSA path with the key.
    async fn get(&self, path: &str) -> (u16, Value) {
        let resp = self
            .http
            .get(self.url(path))
            .header("X-Integration-Key", KEY)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }

    /// Creates a ticket for `acme` and returns its id.
    async fn ticket_id(&self) -> String {
        let resp = self.create_ticket(&new_ticket("acme"), None).await.unwrap();
        assert_eq!(resp.status(), 201);
        let body: Value = resp.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }
}

fn note() -> Value {
    json!({
        "body": "Cleared temp files",
        "internal": true,
        "author": "dana",
        "created_at": "2024-02-21T12:00:00+01:00",
        "external_ref": "note-1",
    })
}

fn resolution() -> Value {
    json!({ "resolved_at": "2024-02-21T13:00:00Z", "resolved_by": "dana", "summary": null })
}

fn time_entry(minutes: Value) -> Value {
    json!({
        "started_at": "2024-02-21T12:00:00Z",
        "ended_at": "2024-02-21T12:25:00Z",
        "minutes": minutes,
        "billable": true,
        "work_type": "Remote Support",
        "note": "Disk almost full on FS01",
        "technician": "dana",
        "external_ref": "te-1",
    })
}

#[tokio::test]
async fn health_lists_tenants_and_every_call_needs_the_key() {
    let sim = Sim::start(config()).await;
    let (status, body) = sim.get("/api/v1/health").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "status": "ok", "tenants": ["acme", "globex"] })
    );

    for key in [None, Some("wrong")] {
        for (method, path) in [
            (reqwest::Method::GET, "/api/v1/health"),
            (reqwest::Method::POST, "/api/v1/tickets"),
            (reqwest::Method::GET, "/api/v1/tickets/T-1001"),
            (reqwest::Method::POST, "/api/v1/tickets/T-1001/notes"),
        ] {
            let mut req = sim
                .http
                .request(method, sim.url(path))
                .json(&new_ticket("acme"));
            if let Some(k) = key {
                req = req.header("X-Integration-Key", k);
            }
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), 401, "{path} with key {key:?}");
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body, json!({ "error": "unauthorized" }));
        }
    }
    assert!(sim.sim_tickets().await.is_empty());
}

#[tokio::test]
async fn tickets_map_to_the_tenants_company() {
    let sim = Sim::start(config()).await;
    let (status, created) = sim
        .post("/api/v1/tickets", &new_ticket("globex"), Some("k1"))
        .await;
    assert_eq!(status, 201);
    assert_eq!(created["id"], "T-1001");
    assert_eq!(created["status"], "New");
    assert_eq!(created["company"], "Globex Inc");

    let (status, fetched) = sim.get("/api/v1/tickets/T-1001").await;
    assert_eq!(status, 200);
    assert_eq!(fetched, created);
    for field in [
        "title",
        "description",
        "source",
        "priority",
        "tenant_id",
        "assigned_tech",
    ] {
        assert_eq!(fetched[field], new_ticket("globex")[field], "{field}");
    }
    assert_eq!(fetched["created_at"], "2024-02-21T11:28:10.624Z");
    assert_eq!(fetched["notes"], json!([]));
    assert_eq!(fetched["resolution"], Value::Null);
    assert_eq!(fetched["time_entries"], json!([]));

    let (status, body) = sim
        .post("/api/v1/tickets", &new_ticket("initech"), Some("k2"))
        .await;
    assert_eq!(
        (status, body),
        (403, json!({ "error": "tenant_forbidden" }))
    );

    let (status, body) = sim.get("/api/v1/tickets/T-9999").await;
    assert_eq!((status, body), (404, json!({ "error": "not_found" })));

    let tickets = sim.sim_tickets().await;
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0].ticket.company, "Globex Inc");
    assert_eq!((tickets[0].writes, tickets[0].applied_writes), (1, 1));
}

#[tokio::test]
async fn a_bad_ticket_is_refused_with_the_field_at_fault() {
    let sim = Sim::start(config()).await;
    let cases = [
        ("title", json!("")),
        ("title", json!("   ")),
        ("priority", json!("P5")),
        ("priority", json!("high")),
        ("source", Value::Null),
        ("tenant_id", Value::Null),
        ("created_at", json!("2024-02-21T11:28:10")),
        ("created_at", json!("yesterday")),
        ("assigned_tech", json!(7)),
    ];
    for (field, value) in cases {
        let mut body = new_ticket("acme");
        body[field] = value.clone();
        let (status, reply) = sim.post("/api/v1/tickets", &body, None).await;
        assert_eq!(status, 400, "{field} = {value}");
        assert_eq!(reply["field"], field, "{reply}");
        assert!(reply["error"].as_str().unwrap().contains(field), "{reply}");
    }
    let resp = sim
        .http
        .post(sim.url("/api/v1/tickets"))
        .header("X-Integration-Key", KEY)
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(sim.sim_tickets().await.is_empty());
}

#[tokio::test]
async fn notes_and_resolution_move_the_status() {
    let sim = Sim::start(config()).await;
    let id = sim.ticket_id().await;

    let (status, body) = sim
        .post(&format!("/api/v1/tickets/{id}/notes"), &note(), None)
        .await;
    assert_eq!(status, 201);
    let note_id = body["id"].as_str().unwrap().to_owned();
    let (_, ticket) = sim.get(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(ticket["status"], "In Progress");
    assert_eq!(ticket["notes"][0]["id"], note_id.as_str());
    assert_eq!(ticket["notes"][0]["body"], "Cleared temp files");
    assert_eq!(ticket["notes"][0]["internal"], true);

    let mut bad = note();
    bad["body"] = json!("");
    let (status, body) = sim
        .post(&format!("/api/v1/tickets/{id}/notes"), &bad, None)
        .await;
    assert_eq!((status, &body["field"]), (400, &json!("body")));

    let (status, body) = sim
        .post("/api/v1/tickets/T-9999/notes", &note(), None)
        .await;
    assert_eq!((status, body), (404, json!({ "error": "not_found" })));

    let path = format!("/api/v1/tickets/{id}/resolution");
    let (status, body) = sim.post(&path, &resolution(), Some("r1")).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "Completed");
    assert_eq!(body["resolution"]["resolved_by"], "dana");
    assert_eq!(body["resolution"]["summary"], Value::Null);

    let (status, body) = sim.post(&path, &resolution(), Some("r2")).await;
    assert_eq!((status, body), (409, json!({ "error": "already_closed" })));

    let (status, _) = sim
        .post("/api/v1/tickets/T-9999/resolution", &resolution(), None)
        .await;
    assert_eq!(status, 404);

    let tickets = sim.sim_tickets().await;
    // create, note, bad note, resolution, 409: five writes reached it, three changed it.
    assert_eq!((tickets[0].writes, tickets[0].applied_writes), (5, 3));
}

#[tokio::test]
async fn a_ticket_closed_by_hand_refuses_resolution_but_takes_time() {
    let sim = Sim::start(config()).await;
    let id = sim.ticket_id().await;

    let resp = sim
        .http
        .post(sim.url(&format!("/_sim/tickets/{id}/close")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let closed: psa_sim::SimTicket = resp.json().await.unwrap();
    assert_eq!(closed.ticket.status, TicketStatus::Completed);
    assert_eq!(closed.ticket.resolution, None);

    let unknown = sim
        .http
        .post(sim.url("/_sim/tickets/T-9999/close"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    let (status, body) = sim
        .post(
            &format!("/api/v1/tickets/{id}/resolution"),
            &resolution(),
            Some("r1"),
        )
        .await;
    assert_eq!((status, body), (409, json!({ "error": "already_closed" })));

    let (status, body) = sim
        .post(
            &format!("/api/v1/tickets/{id}/time-entries"),
            &time_entry(json!(30)),
            Some("t1"),
        )
        .await;
    assert_eq!(status, 201);
    assert!(body["id"].is_string());
    let tickets = sim.sim_tickets().await;
    assert_eq!(tickets[0].ticket.status, TicketStatus::Completed);
    assert_eq!(tickets[0].ticket.resolution, None);
    assert_eq!(tickets[0].ticket.time_entries.len(), 1);
}

#[tokio::test]
async fn time_entries_are_validated_listed_and_idempotent() {
    let sim = Sim::start(config()).await;
    let id = sim.ticket_id().await;
    let path = format!("/api/v1/tickets/{id}/time-entries");

    for minutes in [json!(0), json!(-5), json!(1.5), json!("30"), Value::Null] {
        let (status, body) = sim.post(&path, &time_entry(minutes.clone()), None).await;
        assert_eq!(status, 400, "minutes = {minutes}");
        assert_eq!(body["field"], "minutes");
    }
    let mut backwards = time_entry(json!(25));
    backwards["ended_at"] = json!("2024-02-21T11:00:00Z");
    let (status, body) = sim.post(&path, &backwards, None).await;
    assert_eq!((status, &body["field"]), (400, &json!("ended_at")));
    let mut no_tech = time_entry(json!(25));
    no_tech["technician"] = json!("");
    let (status, body) = sim.post(&path, &no_tech, None).await;
    assert_eq!((status, &body["field"]), (400, &json!("technician")));

    let first = sim
        .post(&path, &time_entry(json!(25)), Some("te-key"))
        .await;
    assert_eq!(first.0, 201);
    let replay = sim
        .post(&path, &time_entry(json!(25)), Some("te-key"))
        .await;
    assert_eq!(replay, first);

    let (status, _) = sim
        .post(
            "/api/v1/tickets/T-9999/time-entries",
            &time_entry(json!(25)),
            None,
        )
        .await;
    assert_eq!(status, 404);

    let (_, ticket) = sim.get(&format!("/api/v1/tickets/{id}")).await;
    let entries = ticket["time_entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["id"], first.1["id"]);
    assert_eq!(entries[0]["minutes"], 25);
    assert_eq!(entries[0]["billable"], true);
    assert_eq!(entries[0]["work_type"], "Remote Support");
    assert_eq!(entries[0]["technician"], "dana");

    let tickets = sim.sim_tickets().await;
    assert_eq!(tickets[0].ticket.time_entries.len(), 1);
    assert_eq!(tickets[0].idempotency_keys["te-key"], 2);
}

#[tokio::test]
async fn a_replay_returns_the_first_result_and_writes_nothing() {
    let sim = Sim::start(config()).await;
    let first = sim
        .post("/api/v1/tickets", &new_ticket("acme"), Some("create-1"))
        .await;
    let mut changed = new_ticket("acme");
    changed["title"] = json!("a different title");
    let replay = sim
        .post("/api/v1/tickets", &changed, Some("create-1"))
        .await;
    assert_eq!(first.0, 201);
    assert_eq!(replay, first);

    let id = first.1["id"].as_str().unwrap();
    let note_path = format!("/api/v1/tickets/{id}/notes");
    let n1 = sim.post(&note_path, &note(), Some("note-1")).await;
    let n2 = sim.post(&note_path, &note(), Some("note-1")).await;
    assert_eq!(n1, n2);

    // A write without a key is accepted and applied each time.
    sim.post(&note_path, &note(), None).await;
    sim.post(&note_path, &note(), None).await;

    let tickets = sim.sim_tickets().await;
    assert_eq!(tickets.len(), 1);
    let t = &tickets[0];
    assert_eq!(t.ticket.title, "Disk almost full on FS01");
    assert_eq!(t.ticket.notes.len(), 3);
    assert_eq!((t.writes, t.applied_writes), (6, 4));
    assert_eq!(t.idempotency_keys["create-1"], 2);
    assert_eq!(t.idempotency_keys["note-1"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_replays_of_one_key_apply_once() {
    let sim = std::sync::Arc::new(Sim::start(config()).await);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let sim = sim.clone();
            tokio::spawn(async move {
                sim.post("/api/v1/tickets", &new_ticket("acme"), Some("same-key"))
                    .await
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    assert!(
        results.iter().all(|r| *r == results[0] && r.0 == 201),
        "{results:?}"
    );
    let id = results[0].1["id"].as_str().unwrap().to_owned();

    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let sim = sim.clone();
            let path = format!("/api/v1/tickets/{id}/notes");
            tokio::spawn(async move { sim.post(&path, &note(), Some("same-note")).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().0, 201);
    }

    let tickets = sim.sim_tickets().await;
    assert_eq!(tickets.len(), 1);
    let t = &tickets[0];
    assert_eq!(t.ticket.notes.len(), 1);
    assert_eq!((t.writes, t.applied_writes), (40, 2));
    assert_eq!(t.idempotency_keys["same-key"], 20);
    assert_eq!(t.idempotency_keys["same-note"], 20);
}

#[tokio::test]
async fn reset_forgets_tickets_but_never_reuses_ids() {
    let sim = Sim::start(config()).await;
    let first = sim.ticket_id().await;
    let resp = sim.http.post(sim.url("/_sim/reset")).send().await.unwrap();
    assert_eq!(resp.status(), 204);
    assert!(sim.sim_tickets().await.is_empty());
    let second = sim.ticket_id().await;
    assert_ne!(first, second);
    sim.sim.shutdown().await;
}

#[tokio::test]
async fn a_base_path_serves_every_route_under_it_and_nothing_at_the_root() {
    let sim = Sim::start(config().base_path("/psa")).await;
    assert!(
        sim.sim.base_url().ends_with("/psa"),
        "{}",
        sim.sim.base_url()
    );
    assert!(!sim.ticket_id().await.is_empty());
    assert_eq!(sim.sim_tickets().await.len(), 1);
    let root = sim.sim.base_url().trim_end_matches("/psa").to_owned();
    let resp = sim
        .http
        .get(format!("{root}/api/v1/health"))
        .header("X-Integration-Key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    for bad in ["psa", "/psa/", "//psa"] {
        let err = psa_sim::start(config().base_path(bad), "127.0.0.1:0".parse().unwrap())
            .await
            .err()
            .expect("refused");
        assert!(err.to_string().contains("base path"), "{err}");
    }
}

#[tokio::test]
async fn a_tenant_granted_at_run_time_takes_tickets_and_a_stored_refusal_stays_with_its_key() {
    let sim = Sim::start(config()).await;
    let (status, _) = sim
        .post("/api/v1/tickets", &new_ticket("initech"), Some("old"))
        .await;
    assert_eq!(status, 403);
    let granted = sim
        .http
        .put(sim.url("/_sim/tenants/initech"))
        .json(&json!({ "company": "Initech LLC" }))
        .send()
        .await
        .unwrap();
    assert_eq!(granted.status(), 200);
    let tenants: Value = granted.json().await.unwrap();
    assert_eq!(
        tenants[2],
        json!({ "id": "initech", "company": "Initech LLC" })
    );
    let (_, health) = sim.get("/api/v1/health").await;
    assert_eq!(health["tenants"], json!(["acme", "globex", "initech"]));
    // The first answer to a key is replayed, refusal included; a new key is a new request.
    let (status, _) = sim
        .post("/api/v1/tickets", &new_ticket("initech"), Some("old"))
        .await;
    assert_eq!(status, 403);
    let (status, created) = sim
        .post("/api/v1/tickets", &new_ticket("initech"), Some("new"))
        .await;
    assert_eq!(
        (status, created["company"].as_str()),
        (201, Some("Initech LLC"))
    );
}

#[tokio::test]
async fn requests_are_counted_on_arrival() {
    let sim = Sim::start(config()).await;
    let count = || async { sim.request_counts().await["received"].as_u64().unwrap() };
    assert_eq!(count().await, 0);
    sim.get("/api/v1/health").await;
    sim.ticket_id().await;
    assert_eq!(count().await, 2, "/_sim calls are not counted");
}
