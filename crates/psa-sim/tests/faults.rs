//! Faults over real HTTP: rate limit (measured), 5xx, latency, dropped connections, lost
//! responses, and changing them at run time.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{KEY, Sim, config, new_ticket};
use psa_sim::Faults;
use serde_json::{Value, json};

impl Sim {
    async fn put_faults(&self, patch: Value) -> (u16, Value) {
        let resp = self
            .http
            .put(self.url("/_sim/faults"))
            .json(&patch)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }

    async fn health(&self) -> reqwest::Result<reqwest::Response> {
        self.http
            .get(self.url("/api/v1/health"))
            .header("X-Integration-Key", KEY)
            .send()
            .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_holds_its_rate_over_a_burst() {
    const RPS: f64 = 20.0;
    let started = Instant::now();
    let sim = Arc::new(
        Sim::start(config().faults(Faults {
            rate_limit: Some(RPS),
            ..Faults::default()
        }))
        .await,
    );
    let accepted = Arc::new(AtomicU64::new(0));
    let limited = Arc::new(AtomicU64::new(0));
    let hammer_for = Duration::from_millis(1500);
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (sim, accepted, limited) = (sim.clone(), accepted.clone(), limited.clone());
            tokio::spawn(async move {
                while started.elapsed() < hammer_for {
                    let resp = sim.health().await.unwrap();
                    match resp.status().as_u16() {
                        200 => accepted.fetch_add(1, Ordering::Relaxed),
                        429 => {
                            let retry_after: u64 = resp.headers()["retry-after"]
                                .to_str()
                                .unwrap()
                                .parse()
                                .unwrap();
                            assert!(retry_after >= 1);
                            let body: Value = resp.json().await.unwrap();
                            assert_eq!(body, json!({ "error": "rate_limited" }));
                            limited.fetch_add(1, Ordering::Relaxed)
                        }
                        other => panic!("unexpected status {other}"),
                    };
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let accepted = accepted.load(Ordering::Relaxed) as f64;
    let limited = limited.load(Ordering::Relaxed);
    // A full bucket (capacity = rps) plus the refill over the measured time, never more.
    let ceiling = RPS + RPS * elapsed;
    assert!(
        accepted <= ceiling + 1.0,
        "{accepted} accepted in {elapsed:.2}s, ceiling {ceiling}"
    );
    // The workers ask far faster than the rate, so almost every token is taken; the slack is for
    // a loaded machine.
    assert!(
        accepted >= 0.7 * ceiling,
        "{accepted} accepted in {elapsed:.2}s, ceiling {ceiling}"
    );
    assert!(limited > 0, "the burst was never limited");

    // /_sim is never rate limited.
    for _ in 0..30 {
        sim.sim_tickets().await;
    }
}

#[tokio::test]
async fn the_rate_limit_covers_the_ncentral_api() {
    let sim = Sim::start(config()).await;
    let (status, _) = sim.put_faults(json!({ "rate_limit": 1.0 })).await;
    assert_eq!(status, 200);
    let get = || {
        sim.http
            .get(sim.url("/api/standard-psa"))
            .bearer_auth(psa_sim::DEFAULT_NCENTRAL_JWT)
            .send()
    };
    assert_eq!(get().await.unwrap().status(), 200);
    let resp = get().await.unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "1");
    assert_eq!(
        sim.request_counts().await,
        json!({ "received": 2, "rate_limited": 1 })
    );
}

#[tokio::test]
async fn failures_answer_5xx_and_write_nothing() {
    let sim = Sim::start(config().faults(Faults {
        fail_rate: 1.0,
        ..Faults::default()
    }))
    .await;
    for i in 0..10 {
        let resp = sim
            .create_ticket(&new_ticket("acme"), Some(&format!("k{i}")))
            .await
            .unwrap();
        assert!(
            [500, 503].contains(&resp.status().as_u16()),
            "{}",
            resp.status()
        );
    }
    assert!(sim.health().await.unwrap().status().is_server_error());
    assert!(sim.sim_tickets().await.is_empty());

    // The failed attempts left no idempotency record: the same key applies once faults clear.
    sim.put_faults(json!({ "fail_rate": 0.0 })).await;
    let resp = sim
        .create_ticket(&new_ticket("acme"), Some("k0"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(sim.sim_tickets().await.len(), 1);
}

#[tokio::test]
async fn garbled_answers_are_not_json_and_write_nothing() {
    let sim = Sim::start(config().faults(Faults {
        garble_rate: 1.0,
        ..Faults::default()
    }))
    .await;
    let resp = sim
        .create_ticket(&new_ticket("acme"), Some("g1"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body = resp.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&body).is_err(), "{body}");
    assert!(sim.sim_tickets().await.is_empty());

    sim.put_faults(json!({ "garble_rate": 0.0 })).await;
    let resp = sim
        .create_ticket(&new_ticket("acme"), Some("g1"))
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        201,
        "the key was not spent on the garbled answer"
    );
}

#[tokio::test]
async fn dropped_connections_give_no_response_and_write_nothing() {
    let sim = Sim::start(config().faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    }))
    .await;
    let err = sim
        .create_ticket(&new_ticket("acme"), Some("k1"))
        .await
        .expect_err("a dropped connection has no HTTP status");
    assert!(err.status().is_none(), "{err}");
    assert!(sim.health().await.is_err());
    assert!(sim.sim_tickets().await.is_empty());

    sim.put_faults(json!({ "drop_rate": 0.0 })).await;
    let resp = sim
        .create_ticket(&new_ticket("acme"), Some("k1"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
}

#[tokio::test]
async fn a_lost_response_was_applied_and_its_replay_returns_the_first_result() {
    let sim = Sim::start(config().faults(Faults {
        lose_response_rate: 1.0,
        ..Faults::default()
    }))
    .await;
    let err = sim
        .create_ticket(&new_ticket("acme"), Some("lost-1"))
        .await
        .expect_err("the response was lost");
    assert!(err.status().is_none(), "{err}");
    let tickets = sim.sim_tickets().await;
    assert_eq!(tickets.len(), 1);
    let id = tickets[0].ticket.id.clone();

    // The time entry's response is lost too; the retry with its key must not add a second one.
    let entry = json!({
        "started_at": "2024-02-21T12:00:00Z", "ended_at": "2024-02-21T12:25:00Z",
        "minutes": 30, "billable": true, "work_type": "Remote Support",
        "note": null, "technician": "dana", "external_ref": "te-1",
    });
    let post_entry = || {
        sim.http
            .post(sim.url(&format!("/api/v1/tickets/{id}/time-entries")))
            .header("X-Integration-Key", KEY)
            .header("Idempotency-Key", "lost-te")
            .json(&entry)
            .send()
    };
    assert!(post_entry().await.is_err());

    sim.put_faults(json!({ "lose_response_rate": 0.0 })).await;
    let replay = sim
        .create_ticket(&new_ticket("acme"), Some("lost-1"))
        .await
        .unwrap();
    assert_eq!(replay.status(), 201);
    let body: Value = replay.json().await.unwrap();
    assert_eq!(body["id"], id.as_str());
    assert_eq!(post_entry().await.unwrap().status(), 201);

    let tickets = sim.sim_tickets().await;
    assert_eq!(tickets.len(), 1);
    let t = &tickets[0];
    assert_eq!(t.ticket.time_entries.len(), 1);
    assert_eq!((t.writes, t.applied_writes), (4, 2));
}

#[tokio::test]
async fn latency_delays_the_api_but_not_the_controls() {
    let sim = Sim::start(config().faults(Faults {
        latency_ms: 300,
        ..Faults::default()
    }))
    .await;
    let t0 = Instant::now();
    assert_eq!(sim.health().await.unwrap().status(), 200);
    assert!(
        t0.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t0.elapsed()
    );

    let t0 = Instant::now();
    sim.sim_tickets().await;
    assert!(
        t0.elapsed() < Duration::from_millis(300),
        "{:?}",
        t0.elapsed()
    );
}

#[tokio::test]
async fn faults_change_at_run_time_field_by_field() {
    let sim = Sim::start(config()).await;
    let (status, body) = sim
        .put_faults(json!({ "fail_rate": 0.25, "latency_ms": 5 }))
        .await;
    assert_eq!(status, 200);
    let (status, body2) = sim.put_faults(json!({ "rate_limit": 50 })).await;
    assert_eq!(status, 200);
    let faults: Faults = serde_json::from_value(body2).unwrap();
    assert_eq!(
        faults,
        Faults {
            rate_limit: Some(50.0),
            fail_rate: 0.25,
            latency_ms: 5,
            drop_rate: 0.0,
            lose_response_rate: 0.0,
            garble_rate: 0.0,
        }
    );
    assert_eq!(body["rate_limit"], Value::Null);

    for (patch, field) in [
        (json!({ "fail_rate": 2.0 }), "fail_rate"),
        (json!({ "drop_rate": "often" }), "drop_rate"),
        (json!({ "rate_limit": 0 }), "rate_limit"),
        (json!({ "packet_loss": 0.1 }), "packet_loss"),
    ] {
        let (status, body) = sim.put_faults(patch.clone()).await;
        assert_eq!(status, 400, "{patch}");
        assert_eq!(body["field"], field, "{patch}");
    }
    let (_, now) = sim.put_faults(json!({ "rate_limit": null })).await;
    let resp = sim.http.get(sim.url("/_sim/faults")).send().await.unwrap();
    let fetched: Value = resp.json().await.unwrap();
    assert_eq!(fetched, now);
    assert_eq!(fetched["rate_limit"], Value::Null);
    assert_eq!(fetched["fail_rate"], 0.25);
}
