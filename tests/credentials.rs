//! Credentials through the `oncall` binary: the OS keychain (the real Secret Service, checked
//! with `secret-tool`), the settings file, where each value comes from, the sync using them,
//! and a clear message when the keychain is unavailable. Secrets kept out of every other place:
//! `secrets.rs`.

use std::process::Command;

use oncall_e2e::{Desk, KEY, Run, Sim};
use serde_json::Value;

/// A D-Bus address where no bus listens.
const NO_BUS: &str = "unix:path=/nonexistent/oncall-test-bus";

/// How many Secret Service items belong to `desk`'s profile.
fn secret_tool_items(desk: &Desk) -> usize {
    let out = Command::new("secret-tool")
        .args(["search", "--all", "service", "oncall-desk"])
        .output()
        .expect("secret-tool runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let mine = format!("attribute.username = {}:", desk.profile());
    text.lines().filter(|l| l.starts_with(&mine)).count()
}

fn ok(run: Run) -> Run {
    assert!(run.ok, "oncall failed: {}\n{}", run.stderr, run.stdout);
    run
}

/// `config show --json`'s entry for `key`.
fn shown(desk: &Desk, key: &str) -> Value {
    let report = desk.json(&["config", "show"]);
    report["values"]
        .as_array()
        .expect("values")
        .iter()
        .find(|v| v["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {report:#}"))
        .clone()
}

#[test]
fn the_psa_key_is_stored_replaced_and_removed_in_the_secret_service() {
    let desk = Desk::new();
    let login = ok(desk.run_with_input(&["login", "psa"], "first-psa-key\n"));
    assert_eq!(
        login.stdout.trim(),
        format!(
            "Stored The One PSA service key in the OS keychain (profile {}). Check it with \
             `oncall wizard`.",
            desk.profile()
        )
    );
    assert!(login.stderr.is_empty(), "{}", login.stderr);
    assert_eq!(
        desk.keychain_item("psa.service_key").as_deref(),
        Some("first-psa-key"),
        "the trailing newline is not part of the key"
    );
    let key = shown(&desk, "psa.service_key");
    assert_eq!(key["set"], true);
    assert_eq!(key["source"], "keychain");
    assert!(key["value"].is_null(), "{key}");

    ok(desk.run_with_input(&["login", "psa"], "second-psa-key"));
    assert_eq!(
        desk.keychain_item("psa.service_key").as_deref(),
        Some("second-psa-key")
    );
    assert_eq!(secret_tool_items(&desk), 1, "replaced, not added");

    let json = desk.run_with_input(&["login", "psa", "--json"], "third-psa-key");
    assert_eq!(
        json.json(),
        serde_json::json!({"credential": "psa", "profile": desk.profile(), "done": true})
    );

    let logout = ok(desk.run(&["logout", "psa"]));
    assert_eq!(
        logout.stdout.trim(),
        format!(
            "Removed The One PSA service key from the OS keychain (profile {}).",
            desk.profile()
        )
    );
    assert_eq!(desk.keychain_item("psa.service_key"), None);
    assert_eq!(shown(&desk, "psa.service_key")["set"], false);
    let again = ok(desk.run(&["logout", "psa"]));
    assert!(
        again.stdout.starts_with("Nothing to remove"),
        "{}",
        again.stdout
    );
    assert_eq!(desk.json(&["logout", "psa"])["done"], false);

    let empty = desk.run_with_input(&["login", "psa"], "  \n");
    assert!(!empty.ok);
    assert_eq!(
        empty.stderr.trim(),
        "error: the PSA service key is empty: nothing was stored"
    );
    assert_eq!(secret_tool_items(&desk), 0);
}

#[test]
fn the_ncentral_login_is_read_as_json_from_stdin_and_never_echoed() {
    let desk = Desk::new();
    let login = serde_json::json!({
        "jwt": "nc-jwt-value", "integration_key": "nc-ik-value",
        "username": "tech@example.com", "password": "nc-pw-value"
    });
    let run = ok(desk.run_with_input(&["login", "ncentral"], &login.to_string()));
    assert_eq!(
        run.stdout.trim(),
        format!(
            "Stored the N-central login of tech@example.com in the OS keychain (profile {}). \
             Check it with `oncall wizard`.",
            desk.profile()
        )
    );
    for (secret, value) in [
        ("ncentral.jwt", "nc-jwt-value"),
        ("ncentral.integration_key", "nc-ik-value"),
        ("ncentral.username", "tech@example.com"),
        ("ncentral.password", "nc-pw-value"),
    ] {
        assert_eq!(desk.keychain_item(secret).as_deref(), Some(value));
        assert_eq!(shown(&desk, secret)["source"], "keychain");
    }

    // Refusals name the field and never the value; nothing is stored by them.
    let other = Desk::new();
    let cases = [
        ("{\"jwt\": \"sec-a\"", "expected a JSON object"),
        ("[\"sec-b\"]", "expected a JSON object"),
        (
            r#"{"jwt":"sec-c","integration_key":"k","username":"u"}"#,
            "'password' is missing",
        ),
        (
            r#"{"jwt":"j","integration_key":"k","username":"u","password":12345678}"#,
            "'password' must be a string",
        ),
        (
            r#"{"jwt":"j","integration_key":"k","username":"u","password":"p","pasword":"sec-d"}"#,
            "unknown field 'pasword'",
        ),
        (
            r#"{"jwt":" ","integration_key":"sec-e","username":"u","password":"p"}"#,
            "the N-central token (jwt) is empty",
        ),
    ];
    for (input, message) in cases {
        let run = other.run_with_input(&["login", "ncentral"], input);
        assert!(!run.ok, "{input}");
        assert!(run.stderr.contains(message), "{input}: {}", run.stderr);
        for secret in ["sec-", "12345678"] {
            assert!(!run.stderr.contains(secret), "{input}: {}", run.stderr);
        }
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
    assert_eq!(secret_tool_items(&other), 0);

    let logout = ok(desk.run(&["logout", "ncentral"]));
    assert!(
        logout.stdout.starts_with("Removed the N-central login"),
        "{}",
        logout.stdout
    );
    assert_eq!(secret_tool_items(&desk), 0);
}

#[test]
fn config_set_and_show_say_where_each_value_comes_from() {
    let desk = Desk::new();
    let set = ok(desk.run(&["config", "set", "psa.url", "https://psa.example.com"]));
    let settings = desk.dir().join("config").join("settings.json");
    assert_eq!(
        set.stdout.trim(),
        format!(
            "Set psa.url = https://psa.example.com (profile {}, {}).",
            desk.profile(),
            settings.display()
        )
    );
    let stored: Value =
        serde_json::from_slice(&std::fs::read(&settings).expect("settings file")).expect("json");
    assert_eq!(
        stored["profiles"][desk.profile()]["psa.url"],
        "https://psa.example.com"
    );
    ok(desk.run(&["config", "set", "technician", "Dana Smith"]));
    ok(desk.run(&["config", "set", "tenant", "acme"]));
    ok(desk.run(&["config", "set", "ncentral.psa_type", "3"]));

    let url = shown(&desk, "psa.url");
    assert_eq!(url["value"], "https://psa.example.com");
    assert_eq!(url["source"], "settings_file");
    assert_eq!(shown(&desk, "technician")["value"], "Dana Smith");
    assert_eq!(shown(&desk, "ncentral.url")["source"], "unset");

    // The environment wins, and says so; a secret from it is still only "set".
    let env = Desk::new()
        .env("PSA_API_URL", "http://127.0.0.1:9")
        .env("PSA_SERVICE_KEY", "env-key-value");
    ok(env.run(&["config", "set", "psa.url", "https://psa.example.com"]));
    let url = shown(&env, "psa.url");
    assert_eq!(url["value"], "http://127.0.0.1:9");
    assert_eq!(url["source"], "env");
    assert_eq!(url["env_var"], "PSA_API_URL");
    let key = shown(&env, "psa.service_key");
    assert_eq!(
        (&key["set"], &key["source"]),
        (&Value::Bool(true), &Value::from("env"))
    );
    let text = ok(env.run(&["config", "show"])).stdout;
    assert!(
        text.contains("psa.url                   http://127.0.0.1:9  (environment: PSA_API_URL)"),
        "{text}"
    );
    assert!(
        text.contains("psa.service_key           set  (environment: PSA_SERVICE_KEY)"),
        "{text}"
    );
    assert!(text.contains("ncentral.jwt              unset"), "{text}");
    assert!(!text.contains("env-key-value"), "{text}");
    let note = ok(env.run(&["config", "set", "psa.url", "https://psa.example.com"])).stdout;
    assert!(
        note.contains("Note: PSA_API_URL is set in the environment and takes precedence."),
        "{note}"
    );

    // Refusals.
    let http = desk.run(&["config", "set", "psa.url", "http://psa.example.com"]);
    assert!(!http.ok);
    assert!(
        http.stderr
            .starts_with("error: psa.url: the URL 'http://psa.example.com' must use https://"),
        "{}",
        http.stderr
    );
    let unknown = desk.run(&["config", "set", "psa.key", "x"]);
    assert!(!unknown.ok);
    assert_eq!(
        unknown.stderr.trim(),
        "error: unknown setting 'psa.key'; known settings: psa.url, ncentral.url, \
         ncentral.psa_type, technician, tenant, time.auto_start, time.increment_minutes, \
         time.work_type, time.billable, time.confirm_after_hours"
    );
    let tenant = desk.run(&["config", "set", "tenant", "a b"]);
    assert!(!tenant.ok);
    assert!(
        tenant.stderr.starts_with("error: tenant: "),
        "{}",
        tenant.stderr
    );
    assert_eq!(shown(&desk, "psa.url")["value"], "https://psa.example.com");

    let unset = ok(desk.run(&["config", "unset", "technician"]));
    assert!(
        unset.stdout.starts_with("Removed technician (profile"),
        "{}",
        unset.stdout
    );
    assert_eq!(shown(&desk, "technician")["set"], false);

    // A profile sees only its own settings.
    let other = Desk::new();
    assert_eq!(
        shown(&other, "psa.url")["source"],
        "unset",
        "another desk's profile and directory"
    );
}

#[test]
fn stored_settings_and_keychain_key_drive_the_sync() {
    let sim = Sim::start();
    let desk = Desk::new();
    desk.tenant("acme");
    ok(desk.run(&["config", "set", "psa.url", &sim.url()]));

    // A URL without a key is no PSA yet, and the acknowledgement says what is missing.
    let id = desk.incident("acme", "Disk full on FS01", "high");
    let ack = ok(desk.run(&["ack", &id, "--tech", "Dana"]));
    assert!(
        ack.stdout
            .contains("PSA not configured (no PSA service key"),
        "{}",
        ack.stdout
    );
    let sync = desk.run(&["sync"]);
    assert!(!sync.ok);
    assert!(
        sync.stderr.contains("`oncall login psa`"),
        "{}",
        sync.stderr
    );

    ok(desk.run_with_input(&["login", "psa"], KEY));
    let id = desk.incident("acme", "CPU critical on client-server-01", "critical");
    let acked = desk.json(&["ack", &id, "--tech", "Dana"]);
    let ticket = acked["psa_ticket_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no ticket: {acked:#}"));
    assert_eq!(
        sim.ticket(ticket).ticket.title,
        "CPU critical on client-server-01"
    );

    let queued = desk.incident("acme", "Queued", "low");
    desk.json(&["ack", &queued, "--tech", "Dana", "--no-sync"]);
    let synced = ok(desk.run(&["sync"]));
    assert!(
        synced.stdout.starts_with("Delivered 1 write(s)"),
        "{}",
        synced.stdout
    );
    let check = ok(desk.run(&["psa", "check"]));
    assert!(
        check.stdout.contains("accepts the key for 2 tenant(s)"),
        "{}",
        check.stdout
    );
}

#[test]
fn an_unavailable_keychain_is_explained_and_the_environment_still_works() {
    let sim = Sim::start();
    let desk = Desk::new().env("DBUS_SESSION_BUS_ADDRESS", NO_BUS);
    desk.tenant("acme");

    let login = desk.run_with_input(&["login", "psa"], "never-stored-key");
    assert!(!login.ok);
    assert!(
        login.stderr.starts_with(
            "error: cannot store the PSA service key: the OS keychain is unavailable: there is \
             no D-Bus session bus"
        ),
        "{}",
        login.stderr
    );
    assert!(
        login
            .stderr
            .contains("or set PSA_API_URL and PSA_SERVICE_KEY in the environment instead"),
        "{}",
        login.stderr
    );
    let config_dir = desk.dir().join("config");
    assert!(
        !config_dir.exists(),
        "nothing was written to a file instead"
    );

    // Settings still work; the keychain's values are unknown, and the reason is shown.
    ok(desk.run(&["config", "set", "psa.url", &sim.url()]));
    let show = ok(desk.run(&["config", "show"])).stdout;
    assert!(show.contains("psa.service_key           unknown"), "{show}");
    assert!(
        show.contains("Keychain unavailable: the OS keychain is unavailable"),
        "{show}"
    );
    let report = desk.json(&["config", "show"]);
    assert!(report["keychain_error"].as_str().is_some(), "{report:#}");

    // With a URL stored, the PSA counts as configured: the ticket waits in the queue, and the
    // acknowledgement says why in one line.
    let id = desk.incident("acme", "Queued while the keychain is away", "high");
    let ack = ok(desk.run(&["ack", &id, "--tech", "Dana"]));
    let why: Vec<&str> = ack
        .stdout
        .lines()
        .filter(|l| l.contains("the OS keychain is unavailable"))
        .collect();
    assert_eq!(why.len(), 1, "{}", ack.stdout);
    assert!(why[0].ends_with("the writes stay queued"), "{}", ack.stdout);
    assert_eq!(desk.outbox_kinds(&id), ["create_ticket"]);
    assert!(sim.tickets().is_empty());

    let (_, wizard) = {
        let run = desk.run(&["wizard", "--json"]);
        (
            run.ok,
            serde_json::from_str::<Vec<Value>>(&run.stdout).expect("json"),
        )
    };
    assert!(
        wizard[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("the OS keychain is unavailable")),
        "{wizard:#?}"
    );

    // The environment's key needs no keychain: the queued ticket goes out.
    let env = desk.env("PSA_SERVICE_KEY", KEY);
    let synced = ok(env.run(&["sync"]));
    assert!(
        synced.stdout.starts_with("Delivered 1 write(s)"),
        "{}",
        synced.stdout
    );
    assert_eq!(sim.tickets().len(), 1);
}

#[test]
fn a_keychain_without_an_unlocked_default_keyring_is_explained() {
    // A private session bus whose Secret Service (activated on demand) has no login keyring,
    // as on a desktop where the keyring was never unlocked.
    let scratch = tempfile::tempdir().expect("temp dir");
    let desk = Desk::new();
    let mut cmd = Command::new("dbus-run-session");
    cmd.arg("--")
        .arg(oncall_e2e::oncall_bin())
        .args(["logout", "psa"]);
    for (k, v) in desk.command(&[]).get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let out = cmd
        .env("XDG_DATA_HOME", scratch.path().join("data"))
        .env("XDG_RUNTIME_DIR", scratch.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("dbus-run-session runs (apt-get install dbus)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("error: cannot remove the PSA service key: "),
        "{stderr}"
    );
    assert!(
        stderr.contains("the OS keychain is locked or has no default keyring"),
        "{stderr}"
    );
    assert!(stderr.contains("Unlock it"), "{stderr}");
}

#[test]
fn on_a_terminal_secrets_are_read_from_prompts_without_echo() {
    let desk = Desk::new();
    let shown = desk.on_a_terminal("login psa", &[("The One PSA service key: ", "tty-key-91")]);
    assert!(shown.contains("Stored The One PSA service key"), "{shown}");
    assert!(!shown.contains("tty-key-91"), "the key was echoed: {shown}");
    assert_eq!(
        desk.keychain_item("psa.service_key").as_deref(),
        Some("tty-key-91")
    );

    let shown = desk.on_a_terminal(
        "login ncentral",
        &[
            ("N-central User-API token (JWT): ", "tty-jwt-92"),
            ("N-central integration key: ", "tty-ik-93"),
            ("PSA username: ", "tech"),
            ("PSA password: ", "tty-pw-94"),
        ],
    );
    assert!(
        shown.contains("Stored the N-central login of tech"),
        "{shown}"
    );
    for secret in ["tty-jwt-92", "tty-ik-93", "tty-pw-94"] {
        assert!(!shown.contains(secret), "{secret} was echoed: {shown}");
    }
    assert_eq!(
        desk.keychain_item("ncentral.password").as_deref(),
        Some("tty-pw-94")
    );
    ok(desk.run(&["logout", "psa"]));
    ok(desk.run(&["logout", "ncentral"]));
}

#[test]
fn the_technician_and_tenant_settings_are_the_defaults_of_tech_author_and_tenant() {
    let desk = Desk::new();
    desk.tenant("acme");
    let missing = desk.run(&["incident", "new", "--title", "x", "--severity", "low"]);
    assert!(!missing.ok);
    assert!(
        missing
            .stderr
            .contains("no tenant given: pass --tenant NAME, or set a default"),
        "{}",
        missing.stderr
    );
    for (key, value) in [("technician", "Dana Whitfield"), ("tenant", "acme")] {
        assert!(desk.run(&["config", "set", key, value]).ok);
    }
    let id = desk.json(&[
        "incident",
        "new",
        "--title",
        "Defaults",
        "--severity",
        "low",
    ])["id"]
        .to_string();
    desk.json(&["ack", &id]);
    desk.json(&["note", &id, "written by the default technician"]);
    let shown = desk.json(&["resolve", &id, "--tech", "Lee"]);
    assert_eq!(shown["tenant_id"], "acme");
    assert_eq!(shown["acknowledged_by"], "Dana Whitfield");
    assert_eq!(shown["notes"][0]["author"], "Dana Whitfield");
    assert_eq!(shown["resolved_by"], "Lee", "--tech still wins");
}
