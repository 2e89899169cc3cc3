//! The edges of input and address handling through the real `oncall` binary and psa-sim: PSA
//! base URLs with a path, a note on standard input past the limit, and numbers too large to use.

use std::{io::Write, process::Stdio};

use oncall_core::{
    psa::{NcentralClient, NcentralConfig as ClientConfig},
    secrets::Secret,
};
use oncall_e2e::{Desk, KEY, Run, Sim};
use psa_sim::{NcentralConfig, PsaCredential, PsaType, SimConfig};

/// A failed run with a clear error and no panic.
fn refused(run: &Run) -> &str {
    assert!(!run.ok, "expected a refusal: {}", run.stdout);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    &run.stderr
}

#[test]
fn the_one_psa_behind_a_path_gets_the_ticket_and_the_note() {
    let sim = Sim::with(
        SimConfig::new(KEY)
            .tenant("acme", "ACME Corp")
            .base_path("/psa"),
    );
    assert!(sim.url().ends_with("/psa"));
    let desk = Desk::new().psa(&sim);
    desk.tenant("acme");
    let id = desk.incident("acme", "Disk full on FS01", "high");
    let acked = desk.json(&["ack", &id, "--tech", "Dana"]);
    let ticket = acked["psa_ticket_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no PSA ticket: {acked:#}"));
    desk.json(&["note", &id, "--author", "Dana", "cleared the temp folder"]);
    let in_psa = sim.ticket(ticket);
    assert_eq!(in_psa.ticket.title, "Disk full on FS01");
    assert_eq!(in_psa.ticket.notes.len(), 1);
    let check = desk.run(&["psa", "check"]);
    assert!(check.ok, "{}", check.stderr);
}

#[test]
fn ncentral_behind_a_path_is_reached_through_its_links() {
    let sim = Sim::with(
        SimConfig::new(KEY)
            .base_path("/nc")
            .ncentral(NcentralConfig {
                jwt: "jwt".into(),
                integration_key: "ik".into(),
                psa_credentials: vec![PsaCredential {
                    psa_type: PsaType::Tigerpaw,
                    username: "tech".into(),
                    password: "pw".into(),
                }],
            }),
    );
    let config = ClientConfig::new(&sim.url(), Secret::new("jwt"), Secret::new("ik")).unwrap();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let valid = rt.block_on(async {
        let mut client = NcentralClient::new(config).expect("client");
        client.authenticate().await.expect("token exchange");
        let discovery = client.discover().await.expect("discovery");
        client
            .validate_credentials(&discovery, "3", "tech", &Secret::new("pw"))
            .await
    });
    assert_eq!(valid, Ok(true));
}

#[test]
fn a_note_on_standard_input_past_the_limit_is_refused_without_reading_it_all() {
    let desk = Desk::new();
    desk.tenant("acme");
    let id = desk.incident("acme", "Log flood", "low");
    let mut child = desk
        .command(&["note", &id, "--author", "Dana", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("oncall starts");
    // A runaway pipe: `oncall` must stop reading past the limit, closing the pipe on the rest.
    let mut stdin = child.stdin.take().expect("stdin");
    let total = 256 * 1024 * 1024;
    let chunk = vec![b'x'; 64 * 1024];
    let mut written = 0;
    while written < total && stdin.write_all(&chunk).is_ok() {
        written += chunk.len();
    }
    drop(stdin);
    let out = child.wait_with_output().expect("oncall runs");
    assert!(written < total, "all {written} bytes were read");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("longer than 65536 bytes"), "{err}");
    assert!(err.contains("nothing was added"), "{err}");

    let at_limit = "y".repeat(64 * 1024);
    let run = desk.run_with_input(&["note", &id, "--author", "Dana", "-", "--json"], &at_limit);
    assert_eq!(
        run.json()["note"]["body"].as_str().map(str::len),
        Some(64 * 1024)
    );
    let notes = &desk.json(&["incident", "show", &id])["notes"];
    assert_eq!(notes.as_array().map(Vec::len), Some(1));
}

#[test]
fn numbers_too_large_to_use_are_refused_not_a_crash() {
    let desk = Desk::new()
        .env("PSA_API_URL", "http://127.0.0.1:9")
        .env("PSA_SERVICE_KEY", "k");
    desk.tenant("acme");
    let id = desk.incident("acme", "Backup failed", "medium");
    let huge = u64::MAX.to_string();
    for flag in [
        "--timeout",
        "--backoff-ms",
        "--max-backoff-ms",
        "--concurrency",
    ] {
        let err = refused(&desk.run(&["sync", flag, &huge])).to_owned();
        assert!(err.contains(flag), "{flag}: {err}");
    }
    let end_of_time = "9999-12-30T21:59:00Z";
    let err = refused(&desk.run(&[
        "time",
        "add",
        &id,
        "--tech",
        "Dana",
        "--minutes",
        "30",
        "--start",
        end_of_time,
    ]))
    .to_owned();
    assert!(err.contains("in the future"), "{err}");
    let added = desk.json(&["time", "add", &id, "--tech", "Dana", "--minutes", "30"]);
    let entry = added["id"].to_string();
    let err = refused(&desk.run(&["time", "edit", &entry, "--start", end_of_time])).to_owned();
    assert!(err.contains("in the future"), "{err}");
}
