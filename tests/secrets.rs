//! Secrets planted through every entry path of the `oncall` binary (a terminal prompt, standard
//! input, the environment) and used by the sync, the PSA check and the credential wizard,
//! passing and failing, with every log at trace level: afterwards none of them, plain or
//! encoded, is in the database files, the settings, the logs or the output. The search is shown
//! to work where they belong: the OS keychain. The app's paths (its settings form, its wizard,
//! its DOM and its crash report) are in `desktop.rs`, which needs a display.

use oncall_e2e::{
    Desk, Run,
    leaks::{Secrets, assert_absent, files},
};

const PSA_KEY: &str = "psa-key-planted-5d1f0c9e7a";
/// A mistyped key is a secret too (often the right one with a typo).
const WRONG_KEY: &str = "psa-key-mistyped-0b7c6e21f4";
const JWT: &str = "nc-jwt-planted-8b2e77aa41";
const INTEGRATION_KEY: &str = "nc-ik-planted-3c9d41f0c2";
const PASSWORD: &str = "nc-pw-planted-e6a0b3d2f9";
/// The prefix of the access tokens psa-sim issues for the JWT: secrets of their own.
const ACCESS_TOKEN: &str = "nc-access-";

const SECRETS: Secrets = Secrets {
    psa_key: PSA_KEY,
    wrong_key: WRONG_KEY,
    jwt: JWT,
    integration_key: INTEGRATION_KEY,
    password: PASSWORD,
};

fn ok(run: Run) -> Run {
    assert!(run.ok, "oncall failed: {}\n{}", run.stderr, run.stdout);
    run
}

#[test]
fn secrets_entered_in_the_cli_are_found_only_in_the_keychain() {
    let sim = SECRETS.sim();
    let desk = Desk::new().env("ONCALL_LOG", "trace");
    let mut runs = Vec::new();
    let mut terminals = Vec::new();
    for (key, value) in [
        ("psa.url", sim.url()),
        ("ncentral.url", sim.url()),
        ("ncentral.psa_type", "3".into()),
    ] {
        runs.push(ok(desk.run(&["config", "set", key, &value])));
    }
    desk.tenant("acme");

    // Typed at the prompts, the PSA key with a typo: every use of it is refused.
    terminals.push(desk.on_a_terminal("login psa", &[("The One PSA service key: ", WRONG_KEY)]));
    terminals.push(desk.on_a_terminal(
        "login ncentral",
        &[
            ("N-central User-API token (JWT): ", JWT),
            ("N-central integration key: ", INTEGRATION_KEY),
            ("PSA username: ", "tech"),
            ("PSA password: ", PASSWORD),
        ],
    ));
    let id = desk.incident("acme", "CPU critical", "critical");
    runs.push(ok(desk.run(&["ack", &id, "--tech", "Dana"])));
    let refused = desk.run(&["sync", "--retry"]);
    assert!(sim.tickets().is_empty(), "the mistyped key was refused");
    runs.push(refused);
    let wizard = desk.run(&["wizard", "--json"]);
    assert!(!wizard.ok, "the wizard fails on the mistyped key");
    runs.push(wizard);

    // The right key from the environment wins over the keychain's.
    runs.push(ok(desk.run_with_env(
        &["sync", "--retry"],
        &[("PSA_SERVICE_KEY", PSA_KEY)],
    )));
    assert_eq!(sim.tickets().len(), 1, "the environment's key delivered it");
    runs.push(ok(desk.run_with_env(
        &["wizard", "--json"],
        &[("PSA_SERVICE_KEY", PSA_KEY)],
    )));

    // From standard input, as scripts do: the right key, the N-central login again.
    runs.push(ok(desk.run_with_input(&["login", "psa"], PSA_KEY)));
    let login = serde_json::json!({
        "jwt": JWT, "integration_key": INTEGRATION_KEY, "username": "tech", "password": PASSWORD
    });
    runs.push(ok(
        desk.run_with_input(&["login", "ncentral"], &login.to_string())
    ));
    runs.push(ok(desk.run(&[
        "note",
        &id,
        "--author",
        "Dana",
        "checked it",
    ])));
    runs.push(ok(desk.run(&["sync"])));
    runs.push(ok(desk.run(&["psa", "check"])));
    let ticket = sim.tickets()[0].ticket.id.clone();
    for args in [
        vec!["wizard", "--ticket", &ticket],
        vec!["wizard", "--json", "--ticket", &ticket],
        vec!["config", "show"],
        vec!["config", "show", "--json"],
        vec!["incident", "show", &id, "--json"],
    ] {
        runs.push(ok(desk.run(&args)));
    }
    assert_eq!(
        sim.ticket(&ticket).ticket.notes.len(),
        1,
        "the note was delivered"
    );

    // The search finds them where they belong.
    let planted = SECRETS.planted();
    for (name, value, secret) in [
        ("psa.service_key", PSA_KEY, &planted[0]),
        ("ncentral.jwt", JWT, &planted[2]),
        ("ncentral.integration_key", INTEGRATION_KEY, &planted[3]),
        ("ncentral.password", PASSWORD, &planted[4]),
    ] {
        let stored = desk.keychain_item(name).unwrap_or_default();
        assert_eq!(stored, value, "{name} is in the keychain");
        assert!(!secret.found_in(stored.as_bytes()).is_empty(), "{name}");
    }
    runs.push(ok(desk.run(&["logout", "ncentral"])));
    runs.push(ok(desk.run(&["logout", "psa"])));

    let trace: String = runs.iter().map(|r| r.stderr.as_str()).collect();
    for expected in ["TRACE", "keychain", "401"] {
        assert!(
            trace.contains(expected),
            "the trace logs show {expected}: {trace}"
        );
    }
    for (i, run) in runs.iter().enumerate() {
        assert_absent(
            &planted,
            &format!("the stdout of run {i}"),
            run.stdout.as_bytes(),
        );
        assert_absent(
            &planted,
            &format!("the stderr of run {i}"),
            run.stderr.as_bytes(),
        );
        for text in [&run.stdout, &run.stderr] {
            assert!(
                !text.contains(ACCESS_TOKEN),
                "an access token in run {i}: {text}"
            );
        }
    }
    for (i, shown) in terminals.iter().enumerate() {
        assert_absent(&planted, &format!("terminal {i}"), shown.as_bytes());
    }
    let written = files(desk.dir());
    let names: Vec<String> = written
        .iter()
        .filter_map(|f| Some(f.file_name()?.to_string_lossy().into_owned()))
        .collect();
    assert!(
        names.contains(&"settings.json".to_owned()) && names.contains(&"oncall.sqlite3".to_owned()),
        "the settings and the database are searched: {names:?}"
    );
    for file in written {
        let bytes = std::fs::read(&file).expect("read");
        assert_absent(&planted, &file.display().to_string(), &bytes);
        assert!(
            !bytes
                .windows(ACCESS_TOKEN.len())
                .any(|w| w == ACCESS_TOKEN.as_bytes()),
            "an access token in {}",
            file.display()
        );
    }
}
