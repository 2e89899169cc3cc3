//! The HTTP edges psa-sim cannot misbehave at, against the scripted stub over loopback: a PSA
//! that redirects (to another origin, where the keys must never arrive), an N-central link to
//! another origin, and a TLS failure that must reach the wizard as a TLS failure; a drain against
//! a redirecting PSA stops after one write, as for a refused key.

mod common;

use std::sync::Arc;

use common::{Answer, Stub};
use jiff::Timestamp;
use oncall_core::{
    Clock, Desk, SystemClock,
    domain::{NewIncident, NoteRequest},
    problem::Remedy,
    psa::{NcentralClient, NcentralConfig, NcentralError, OnePsaClient, PsaConfig, PsaError},
    secrets::Secret,
    sync::{SyncEngine, SyncOptions},
    wizard::{self, Blocker, Input, Status},
};
use tokio::{io::AsyncWriteExt, net::TcpListener};

const KEY: &str = "one-psa-service-key";
const JWT: &str = "nc-jwt";
const INTEGRATION_KEY: &str = "nc-integration-key";
const PASSWORD: &str = "nc-psa-password";

/// Somewhere else, accepting everything: whatever reaches it has leaked.
async fn elsewhere() -> Stub {
    Stub::start(|_| ("200 OK", Vec::new(), r#"{"id":"T-1","status":"ok"}"#.into())).await
}

/// Redirects every request to the same path on `target`.
async fn redirecting(status: &'static str, target: &str) -> Stub {
    let target = target.to_owned();
    Stub::start(move |req| -> Answer {
        let location = format!("Location: {target}{}?token=abc", req.path);
        (status, vec![location], String::new())
    })
    .await
}

fn note() -> NoteRequest {
    NoteRequest {
        body: "checked the disk".into(),
        internal: true,
        author: "Dana".into(),
        created_at: Timestamp::UNIX_EPOCH,
        external_ref: "1".into(),
    }
}

#[tokio::test]
async fn a_one_psa_redirect_is_refused_and_the_key_never_leaves() {
    let other = elsewhere().await;
    for status in [
        "301 Moved Permanently",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let psa = redirecting(status, &other.url).await;
        let config = PsaConfig::new(&psa.url, Secret::new(KEY)).expect("config");
        let client = OnePsaClient::new(config).expect("client");

        let err = client.add_note("T-1", &note(), "idem-1").await.unwrap_err();
        let PsaError::Redirected {
            status: code,
            location,
        } = &err
        else {
            panic!("{status}: expected a refused redirect, got {err:?}");
        };
        assert_eq!(code.to_string(), status[..3]);
        assert_eq!(location, &format!("{}/api/v1/tickets/T-1/notes", other.url));
        assert!(!err.is_retryable(), "a redirect needs a person: {err}");
        let text = err.to_string();
        assert!(
            text.contains("not followed") && text.contains("psa.url"),
            "{text}"
        );
        assert!(!text.contains("token=abc"), "{text}");

        let err = client.health().await.unwrap_err();
        assert!(matches!(err, PsaError::Redirected { .. }), "{err:?}");
        assert_eq!(psa.seen().len(), 2);
    }
    assert!(other.seen().is_empty(), "leaked: {:?}", other.seen());
}

/// N-central that offers the exchange and links, its POSTs answered by `post`.
async fn ncentral(link: String, post: impl Fn() -> Answer + Send + Sync + 'static) -> Stub {
    Stub::start(move |req| match (req.method.as_str(), req.path.as_str()) {
        ("POST", "/api/auth/authenticate") => (
            "200 OK",
            Vec::new(),
            r#"{"tokens":{"access":{"token":"access-1"}}}"#.into(),
        ),
        ("GET", "/api/standard-psa") => (
            "200 OK",
            Vec::new(),
            format!(r#"{{"_links":{{"standard-psa-validate-credential":"{link}"}}}}"#),
        ),
        ("GET", _) => ("200 OK", Vec::new(), r#"{"_links":{}}"#.into()),
        _ => post(),
    })
    .await
}

async fn validate(server: &Stub) -> Result<bool, NcentralError> {
    let config = NcentralConfig::new(&server.url, Secret::new(JWT), Secret::new(INTEGRATION_KEY))
        .expect("config");
    let mut client = NcentralClient::new(config).expect("client");
    client.authenticate().await?;
    let discovery = client.discover().await?;
    client
        .validate_credentials(&discovery, "3", "tech", &Secret::new(PASSWORD))
        .await
}

#[tokio::test]
async fn an_ncentral_link_to_another_origin_is_not_followed() {
    let other = elsewhere().await;
    let link = format!("{}/api/standard-psa/{{psaType}}/credential", other.url);
    let server = ncentral(link, || {
        ("500 Internal Server Error", Vec::new(), "{}".into())
    })
    .await;

    let err = validate(&server).await.unwrap_err();
    assert!(matches!(err, NcentralError::ForeignLink { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains(&other.url) && text.contains(&server.url),
        "{text}"
    );
    assert!(other.seen().is_empty(), "leaked: {:?}", other.seen());
}

#[tokio::test]
async fn an_ncentral_redirect_keeps_the_login_and_key_home() {
    let other = elsewhere().await;
    let target = other.url.clone();
    let link = "/api/standard-psa/{psaType}/credential".to_owned();
    let server = ncentral(link, move || {
        let location = format!("Location: {target}/steal");
        ("307 Temporary Redirect", vec![location], String::new())
    })
    .await;

    let err = validate(&server).await.unwrap_err();
    let NcentralError::Redirected { status, location } = &err else {
        panic!("expected a refused redirect, got {err:?}");
    };
    assert_eq!(
        (*status, location.as_str()),
        (307, &*format!("{}/steal", other.url))
    );
    let post = server.seen().pop().expect("the credential POST");
    assert_eq!(post.path, "/api/standard-psa/3/credential");
    assert_eq!(post.header("integration-key"), Some(INTEGRATION_KEY));
    assert!(post.body.contains(PASSWORD));
    assert!(other.seen().is_empty(), "leaked: {:?}", other.seen());
}

#[tokio::test]
async fn a_tls_failure_reaches_the_wizard_as_one() {
    // A plain-HTTP server behind an https:// URL: the TLS handshake fails on its answer.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let https = format!("https://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answer = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
            // The client may hang up first; nothing to do about that.
            let _ = socket.write_all(answer).await;
        }
    });
    let config = PsaConfig::new(&https, Secret::new(KEY)).expect("config");
    let err = OnePsaClient::new(config.clone())
        .expect("client")
        .health()
        .await
        .unwrap_err();
    assert!(matches!(err, PsaError::Tls(_)), "{err:?}");

    let input = Input {
        psa: Ok(config),
        local_tenants: Vec::new(),
        ncentral: Err(Blocker {
            message: "N-central is not set up.".into(),
            remedy: Remedy::SetUpNcentral,
        }),
        ticket: None,
    };
    let results = wizard::run(input, &SystemClock).await;
    assert_eq!(results[0].status(), Status::Failed);
    assert!(
        results[0]
            .message()
            .starts_with("The secure (TLS) connection"),
        "{}",
        results[0].message()
    );
}

#[tokio::test]
async fn a_psa_that_redirects_stops_the_drain_after_one_refused_write() {
    let other = elsewhere().await;
    let psa = redirecting("301 Moved Permanently", &other.url).await;
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("desk.sqlite3");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut desk = Desk::open(&db, Arc::clone(&clock))
        .expect("open")
        .with_psa_configured(true);
    desk.add_tenant("acme", "org-acme", "ACME Corp")
        .expect("tenant");
    for title in ["Disk full on fs-01", "VPN down", "Printer offline"] {
        let incident = desk
            .new_incident(&NewIncident {
                tenant_id: "acme".into(),
                title: title.into(),
                severity: "high".into(),
                ..NewIncident::default()
            })
            .expect("incident");
        desk.acknowledge(incident.id, "Dana").expect("ack");
    }
    let client = OnePsaClient::new(PsaConfig::new(&psa.url, Secret::new(KEY)).expect("config"))
        .expect("client");
    let engine = Arc::new(
        SyncEngine::open(
            &db,
            client,
            clock,
            SyncOptions {
                concurrency: 1,
                ..SyncOptions::default()
            },
        )
        .expect("engine"),
    );
    let report = engine.drain(None).await.expect("drain");
    assert!(report.stopped.is_some(), "{report:?}");
    assert_eq!(report.refused_now.len(), 1, "{report:?}");
    assert_eq!(psa.seen().len(), 1, "one request, not one per write");
    assert!(other.seen().is_empty(), "nothing followed the redirect");
    assert_eq!(desk.sync_status().expect("status").counts.pending, 2);
}
