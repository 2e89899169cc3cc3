//! The `psa-sim` binary: base URL on the first stdout line, flags, loopback guard, and a
//! `--state` file that survives a restart.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

const KEY: &str = "cli-key";

/// A running `psa-sim` process, killed when dropped so a failing test leaves none behind.
struct Process {
    child: Child,
    base_url: String,
}

impl Process {
    fn spawn(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_psa-sim"))
            .args(["--key", KEY, "--tenant", "acme=ACME Corp"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("psa-sim starts");
        let mut first_line = String::new();
        // Blocks until the server is listening: it prints the URL only after binding.
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first_line)
            .unwrap();
        let base_url = first_line.trim_end().to_owned();
        Self { child, base_url }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn create(http: &reqwest::Client, sim: &Process, idempotency_key: &str) -> (u16, Value) {
    let resp = http
        .post(sim.url("/api/v1/tickets"))
        .header("X-Integration-Key", KEY)
        .header("Idempotency-Key", idempotency_key)
        .json(&json!({
            "title": "Backup failed", "description": "", "source": "On-Call Auto",
            "priority": "P1", "tenant_id": "acme", "org_id": null, "assigned_tech": null,
            "created_at": "2024-02-21T06:28:10-05:00", "external_ref": "inc-9",
        }))
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test]
async fn the_first_stdout_line_is_the_base_url_and_flags_take_effect() {
    let sim = Process::spawn(&[
        "--listen",
        "127.0.0.1:0",
        "--rate-limit",
        "100",
        "--fail-rate",
        "0.1",
        "--latency-ms",
        "1",
        "--drop-rate",
        "0.2",
        "--lose-response-rate",
        "0.3",
        "--garble-rate",
        "0.4",
        "--ncentral-jwt",
        "jwt-1",
        "--ncentral-integration-key",
        "ik-1",
        "--psa-credential",
        "3:tech:pw",
    ]);
    let port = sim
        .base_url
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("not a loopback base URL: {:?}", sim.base_url));
    assert!(port.parse::<u16>().unwrap() > 0);

    let http = client();
    let faults: Value = http
        .get(sim.url("/_sim/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        faults,
        json!({ "rate_limit": 100.0, "fail_rate": 0.1, "latency_ms": 1, "drop_rate": 0.2, "lose_response_rate": 0.3, "garble_rate": 0.4 })
    );

    let resp = http
        .put(sim.url("/_sim/faults"))
        .json(&json!({ "fail_rate": 0, "drop_rate": 0, "lose_response_rate": 0, "garble_rate": 0 }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = http
        .post(sim.url("/api/standard-psa/TIGERPAW/credential"))
        .bearer_auth("jwt-1")
        .header("INTEGRATION-KEY", "ik-1")
        .json(&json!({ "username": "tech", "password": "pw" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["isPsaCredentialsValid"], true);
}

#[tokio::test]
async fn state_survives_a_restart_with_its_idempotency_records() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sim.sqlite3");
    let state = state.to_str().unwrap();
    let http = client();

    let sim = Process::spawn(&["--state", state]);
    let first = create(&http, &sim, "restart-1").await;
    assert_eq!(first.0, 201);
    // SIGKILL, not a clean shutdown: what was answered must already be on disk.
    drop(sim);

    let sim = Process::spawn(&["--state", state]);
    let id = first.1["id"].as_str().unwrap();
    let resp = http
        .get(sim.url(&format!("/api/v1/tickets/{id}")))
        .header("X-Integration-Key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(create(&http, &sim, "restart-1").await, first);
    let (status, second) = create(&http, &sim, "restart-2").await;
    assert_eq!(status, 201);
    assert_ne!(second["id"], first.1["id"]);

    let tickets: Vec<psa_sim::SimTicket> = http
        .get(sim.url("/_sim/tickets"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tickets.len(), 2);
    assert_eq!((tickets[0].writes, tickets[0].applied_writes), (2, 1));
}

#[test]
fn a_non_loopback_address_and_bad_flags_are_refused() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_psa-sim"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--key", KEY, "--listen", "0.0.0.0:0"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("non-loopback"));

    for bad in [
        ["--tenant", "no-company"],
        ["--psa-credential", "7:user:pw"],
        ["--fail-rate", "1.5"],
    ] {
        let out = run(&[&["--key", KEY][..], &bad[..]].concat());
        assert!(!out.status.success(), "{bad:?} was accepted");
        assert!(out.stdout.is_empty(), "{bad:?} printed a URL");
    }
}

#[tokio::test]
async fn tenants_come_from_a_file_too_and_a_bad_line_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tenants.txt");
    std::fs::write(
        &file,
        "# clients\nglobex=Globex Inc\n\ninitech = Initech LLC\n",
    )
    .unwrap();
    let sim = Process::spawn(&["--tenants-file", file.to_str().unwrap()]);
    let health: Value = client()
        .get(sim.url("/api/v1/health"))
        .header("X-Integration-Key", KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut tenants: Vec<_> = health["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    tenants.sort();
    assert_eq!(tenants, ["acme", "globex", "initech"]);

    std::fs::write(&file, "globex=Globex Inc\nnot a tenant\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_psa-sim"))
        .args(["--key", KEY, "--tenants-file", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 2: not a tenant"), "{stderr}");
}
