//! `oncall wizard` against psa-sim: every outcome of every step, through the real binary, with
//! the credentials stored by `oncall config set` and `oncall login` in the real Secret Service.

use oncall_e2e::{Desk, KEY, Sim};
use psa_sim::{Faults, NcentralConfig, PsaCredential, PsaType, SimConfig};
use serde_json::Value;

const JWT: &str = "wizard-test-jwt";
const INTEGRATION_KEY: &str = "wizard-test-integration-key";
const USER: &str = "tech@example.com";
const PASSWORD: &str = "correct horse";

/// A simulator knowing tenants acme and globex, the N-central token and key above, and the
/// Tigerpaw credentials above.
fn sim() -> Sim {
    Sim::with(
        SimConfig::new(KEY)
            .tenant("acme", "ACME Corp")
            .tenant("globex", "Globex Inc")
            .ncentral(NcentralConfig {
                jwt: JWT.into(),
                integration_key: INTEGRATION_KEY.into(),
                psa_credentials: vec![PsaCredential {
                    psa_type: PsaType::Tigerpaw,
                    username: USER.into(),
                    password: PASSWORD.into(),
                }],
            }),
    )
}

/// What a technician enters; each test changes one thing.
struct Entered<'a> {
    psa_url: String,
    ncentral_url: String,
    psa_type: &'a str,
    psa_key: &'a str,
    jwt: &'a str,
    integration_key: &'a str,
    password: &'a str,
}

impl Entered<'_> {
    fn right(sim: &Sim) -> Self {
        Self {
            psa_url: sim.url(),
            ncentral_url: sim.url(),
            psa_type: "3",
            psa_key: KEY,
            jwt: JWT,
            integration_key: INTEGRATION_KEY,
            password: PASSWORD,
        }
    }

    /// A desk with these settings and credentials stored.
    fn desk(&self) -> Desk {
        let desk = Desk::new();
        for (key, value) in [
            ("psa.url", self.psa_url.as_str()),
            ("ncentral.url", &self.ncentral_url),
            ("ncentral.psa_type", self.psa_type),
        ] {
            let set = desk.run(&["config", "set", key, value]);
            assert!(set.ok, "config set {key}: {}", set.stderr);
        }
        let psa = desk.run_with_input(&["login", "psa"], self.psa_key);
        assert!(psa.ok, "login psa: {}", psa.stderr);
        let login = serde_json::json!({
            "jwt": self.jwt, "integration_key": self.integration_key,
            "username": USER, "password": self.password,
        });
        let nc = desk.run_with_input(&["login", "ncentral"], &login.to_string());
        assert!(nc.ok, "login ncentral: {}", nc.stderr);
        desk
    }
}

/// Runs `oncall wizard --json ARGS`: whether it exited 0, and the steps it printed.
fn wizard(desk: &Desk, args: &[&str]) -> (bool, Vec<Value>) {
    let mut all = vec!["wizard", "--json"];
    all.extend(args);
    let run = desk.run(&all);
    let steps: Vec<Value> = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    for s in &steps {
        for field in ["step", "ok", "message", "fix"] {
            assert!(s.get(field).is_some(), "{field} missing in {s}");
        }
        assert_eq!(s["ok"], s["status"] == "passed", "{s}");
        assert_eq!(s["fix"].is_null(), s["status"] != "failed", "{s}");
    }
    if run.ok {
        assert!(run.stderr.is_empty(), "{}", run.stderr);
    } else {
        assert!(run.stderr.contains("checks did not pass"), "{}", run.stderr);
    }
    (run.ok, steps)
}

fn step<'a>(steps: &'a [Value], name: &str) -> &'a Value {
    steps
        .iter()
        .find(|s| s["step"] == name)
        .unwrap_or_else(|| panic!("no step {name} in {steps:#?}"))
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// Asserts `name` failed with a message containing `message` and a fix containing `fix`.
fn failed(steps: &[Value], name: &str, message: &str, fix: &str) {
    let s = step(steps, name);
    assert_eq!(s["status"], "failed", "{s:#}");
    assert!(text(&s["message"]).contains(message), "{s:#}");
    assert!(text(&s["fix"]).contains(fix), "{s:#}");
}

fn status<'a>(steps: &'a [Value], name: &str) -> &'a str {
    text(&step(steps, name)["status"])
}

#[test]
fn good_credentials_pass_every_step_and_show_the_ticket() {
    let sim = sim();
    let desk = Entered::right(&sim).desk();
    desk.tenant("acme");
    let ticket = sim.create_ticket_by_hand("acme", "Printer offline on floor 2");

    let (ok, steps) = wizard(&desk, &["--ticket", &ticket]);
    assert!(ok, "{steps:#?}");
    let names: Vec<&str> = steps.iter().map(|s| text(&s["step"])).collect();
    assert_eq!(
        names,
        [
            "one_psa",
            "tenants",
            "ncentral_login",
            "ncentral_discovery",
            "ncentral_psa_credentials",
            "ncentral_ticket"
        ]
    );
    assert!(
        text(&step(&steps, "one_psa")["message"]).contains("may use 2 tenant(s): acme, globex"),
        "{steps:#?}"
    );
    assert_eq!(
        step(&steps, "tenants")["details"]["psa"],
        serde_json::json!(["acme", "globex"])
    );
    assert!(text(&step(&steps, "ncentral_login")["message"]).contains("issued an access token"));
    assert!(
        text(&step(&steps, "ncentral_psa_credentials")["message"]).contains(USER),
        "{steps:#?}"
    );
    let t = step(&steps, "ncentral_ticket");
    let message = text(&t["message"]);
    assert!(message.contains(&ticket), "{message}");
    assert!(
        message.contains("\"Printer offline on floor 2\""),
        "{message}"
    );
    assert!(message.contains("status New"), "{message}");
    assert!(
        message.contains("created 2025-12-31 19:00:00 EST"),
        "{message}"
    );
    assert!(message.contains("Details: opened by hand"), "{message}");
    assert_eq!(t["details"]["kind"], "ticket");
    assert_eq!(
        t["details"]["creation_date"],
        "2025-12-31T19:00:00.000-05:00[America/New_York]"
    );

    // Without --ticket there is no ticket step, and the text form says PASS for each step.
    let run = desk.run(&["wizard"]);
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(run.stdout.matches("[PASS]").count(), 5, "{}", run.stdout);
    assert!(!run.stdout.contains("ncentral_ticket"), "{}", run.stdout);
}

#[test]
fn a_wrong_psa_key_fails_the_psa_step_only() {
    let sim = sim();
    let desk = Entered {
        psa_key: "not-the-key",
        ..Entered::right(&sim)
    }
    .desk();
    let (ok, steps) = wizard(&desk, &[]);
    assert!(!ok);
    failed(
        &steps,
        "one_psa",
        "refused the service key (401)",
        "oncall login psa",
    );
    assert_eq!(status(&steps, "tenants"), "skipped");
    assert_eq!(status(&steps, "ncentral_psa_credentials"), "passed");
}

#[test]
fn local_tenants_the_psa_does_not_know_are_named() {
    let sim = sim();
    let desk = Entered::right(&sim).desk();
    desk.tenant("acme");
    desk.tenant("initech");
    let (ok, steps) = wizard(&desk, &[]);
    assert!(!ok);
    failed(
        &steps,
        "tenants",
        "does not know 1 local tenant(s): initech",
        "(acme, globex)",
    );
    assert_eq!(
        step(&steps, "tenants")["details"]["unknown"],
        serde_json::json!(["initech"])
    );
}

#[test]
fn a_wrong_jwt_fails_the_login_and_skips_the_rest_of_n_central() {
    let sim = sim();
    let desk = Entered {
        jwt: "expired-token",
        ..Entered::right(&sim)
    }
    .desk();
    let (ok, steps) = wizard(&desk, &["--ticket", "T-1"]);
    assert!(!ok);
    assert_eq!(status(&steps, "one_psa"), "passed");
    failed(
        &steps,
        "ncentral_login",
        "refused the User-API token (401)",
        "oncall login ncentral",
    );
    for s in [
        "ncentral_discovery",
        "ncentral_psa_credentials",
        "ncentral_ticket",
    ] {
        assert_eq!(status(&steps, s), "skipped", "{s}");
    }
}

#[test]
fn a_wrong_integration_key_is_named_as_such() {
    let sim = sim();
    let desk = Entered {
        integration_key: "old-key",
        ..Entered::right(&sim)
    }
    .desk();
    let (ok, steps) = wizard(&desk, &["--ticket", "T-1"]);
    assert!(!ok);
    assert_eq!(status(&steps, "ncentral_discovery"), "passed");
    for s in ["ncentral_psa_credentials", "ncentral_ticket"] {
        failed(
            &steps,
            s,
            "refused the integration key (403)",
            "integration key again",
        );
    }
}

#[test]
fn invalid_psa_credentials_are_reported() {
    let sim = sim();
    let desk = Entered {
        password: "wrong password",
        ..Entered::right(&sim)
    }
    .desk();
    let (ok, steps) = wizard(&desk, &[]);
    assert!(!ok);
    failed(
        &steps,
        "ncentral_psa_credentials",
        "PSA username or password is not valid (PSA type 3, username tech@example.com)",
        "signing in to the PSA",
    );
}

#[test]
fn an_unsupported_psa_type_cannot_be_validated() {
    let sim = sim();
    let desk = Entered {
        psa_type: "autotask",
        ..Entered::right(&sim)
    }
    .desk();
    let (_, steps) = wizard(&desk, &[]);
    failed(
        &steps,
        "ncentral_psa_credentials",
        "PSA type 'autotask' cannot be validated by N-central (400)",
        "Tigerpaw (type 3)",
    );

    // The name works as well as the number.
    let desk = Entered {
        psa_type: "TigerPaw",
        ..Entered::right(&sim)
    }
    .desk();
    let (ok, steps) = wizard(&desk, &[]);
    assert!(ok, "{steps:#?}");
}

#[test]
fn an_unknown_ticket_is_reported() {
    let sim = sim();
    let desk = Entered::right(&sim).desk();
    let (ok, steps) = wizard(&desk, &["--ticket", "T-4040"]);
    assert!(!ok);
    failed(
        &steps,
        "ncentral_ticket",
        "no custom PSA ticket 'T-4040' (404)",
        "Check the ticket id",
    );
    assert_eq!(status(&steps, "ncentral_psa_credentials"), "passed");
}

#[test]
fn rate_limiting_says_when_to_retry() {
    let sim = sim();
    let desk = Entered::right(&sim).desk();
    // One request a 100 s: the bucket's only token goes to a request by hand.
    sim.set_faults(&Faults {
        rate_limit: Some(0.01),
        ..Faults::default()
    });
    sim.create_ticket_by_hand("acme", "uses the last token");

    let (ok, steps) = wizard(&desk, &[]);
    assert!(!ok);
    failed(
        &steps,
        "one_psa",
        "The One PSA is rate limiting this service key (429); it asks to wait 100 s, until ",
        "again after that",
    );
    failed(
        &steps,
        "ncentral_login",
        "N-central is rate limiting requests (429); it asks to wait 100 s, until ",
        "again after that",
    );
    let details = &step(&steps, "one_psa")["details"];
    assert_eq!(details["kind"], "retry_after");
    assert_eq!(details["seconds"], 100);
    assert!(details["at"].as_str().is_some(), "{details}");
}

#[test]
fn a_server_that_is_down_or_not_speaking_tls_is_explained() {
    // A port that was just free: nothing listens there.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", l.local_addr().expect("addr"))
    };
    let sim = sim();
    let desk = Entered {
        psa_url: closed.clone(),
        ncentral_url: closed,
        ..Entered::right(&sim)
    }
    .desk();
    let (ok, steps) = wizard(&desk, &[]);
    assert!(!ok);
    failed(&steps, "one_psa", "could not be reached", "network or VPN");
    failed(
        &steps,
        "ncentral_login",
        "could not be reached",
        "network or VPN",
    );

    // https:// to a server that speaks plain HTTP: a TLS failure, not a network one.
    let https = sim.url().replace("http://", "https://");
    let desk = Entered {
        psa_url: https.clone(),
        ncentral_url: https,
        ..Entered::right(&sim)
    }
    .desk();
    let (_, steps) = wizard(&desk, &[]);
    failed(&steps, "one_psa", "secure (TLS) connection", "https://");
    failed(
        &steps,
        "ncentral_login",
        "secure (TLS) connection",
        "certificate",
    );
}

#[test]
fn nothing_set_up_says_what_to_set() {
    let desk = Desk::new();
    let (ok, steps) = wizard(&desk, &[]);
    assert!(!ok);
    failed(&steps, "one_psa", "not set up", "oncall config set psa.url");
    failed(
        &steps,
        "ncentral_login",
        "not set up",
        "oncall login ncentral",
    );
    assert_eq!(status(&steps, "ncentral_psa_credentials"), "skipped");

    // A PSA type is needed to validate credentials.
    let sim = sim();
    let desk = Entered::right(&sim).desk();
    assert!(desk.run(&["config", "unset", "ncentral.psa_type"]).ok);
    let (_, steps) = wizard(&desk, &[]);
    failed(
        &steps,
        "ncentral_psa_credentials",
        "No PSA type is set",
        "oncall config set ncentral.psa_type 3",
    );
}
