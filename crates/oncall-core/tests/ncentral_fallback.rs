//! An N-central server without the token exchange (`/api/auth/authenticate` answers 404), as
//! the seed describes it: the wizard's N-central steps pass sending the User-API token itself,
//! following the HAL links in their `{"href": ..}` form. psa-sim always offers the exchange, so
//! this server is a few lines of HTTP/1.1 on loopback.

use std::sync::{Arc, Mutex};

use oncall_core::{
    SystemClock,
    psa::NcentralConfig,
    secrets::Secret,
    wizard::{self, Input, NcentralAccess, Problem, Status},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

const JWT: &str = "user-api-token";

/// Every request seen, as `METHOD PATH AUTHORIZATION`.
type Seen = Arc<Mutex<Vec<String>>>;

async fn serve(listener: TcpListener, seen: Seen) {
    while let Ok((socket, _)) = listener.accept().await {
        tokio::spawn(answer(socket, seen.clone()));
    }
}

/// Answers one request per connection (`Connection: close`).
async fn answer(mut socket: TcpStream, seen: Seen) {
    let mut buf = Vec::new();
    let head = loop {
        let mut chunk = [0_u8; 4096];
        let n = socket.read(&mut chunk).await.expect("read");
        assert!(n > 0, "request cut short");
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let length = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse::<usize>().expect("length"))
            })
            .unwrap_or(0);
        if buf.len() >= end + 4 + length {
            break head;
        }
    };
    let mut lines = head.lines();
    let request = lines.next().expect("request line").to_owned();
    let auth = lines
        .find_map(|l| {
            l.strip_prefix("authorization: ")
                .or_else(|| l.strip_prefix("Authorization: "))
        })
        .unwrap_or("-")
        .to_owned();
    let mut parts = request.split(' ');
    let (method, path) = (parts.next().expect("method"), parts.next().expect("path"));
    seen.lock()
        .expect("lock")
        .push(format!("{method} {path} {auth}"));
    let bearer_ok = auth == format!("Bearer {JWT}");
    let (status, body) = match (method, path) {
        ("POST", "/api/auth/authenticate") => ("404 Not Found", r#"{"error":"not_found"}"#),
        _ if !bearer_ok => ("401 Unauthorized", r#"{"error":"unauthorized"}"#),
        ("GET", "/api/standard-psa") => (
            "200 OK",
            r#"{"_links":{"standard-psa-validate-credential":{"href":"/api/standard-psa/{psaType}/credential","templated":true}}}"#,
        ),
        ("GET", "/api/custom-psa") => ("200 OK", r#"{"_links":{}}"#),
        ("POST", "/api/standard-psa/3/credential") => (
            "200 OK",
            r#"{"data":{"isPsaCredentialsValid":true},"_links":{}}"#,
        ),
        _ => ("404 Not Found", r#"{"error":"not_found"}"#),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    socket.write_all(response.as_bytes()).await.expect("write");
}

#[tokio::test]
async fn without_a_token_exchange_the_user_api_token_is_sent_as_it_is() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Seen::default();
    tokio::spawn(serve(listener, seen.clone()));

    let input = Input {
        psa: Err(Problem {
            message: "The One PSA is not set up.".into(),
            fix: "Set it up.".into(),
        }),
        local_tenants: Vec::new(),
        ncentral: Ok(NcentralAccess {
            config: NcentralConfig::new(&url, Secret::new(JWT), Secret::new("ik")).expect("config"),
            psa_type: Some("3".into()),
            username: "tech".into(),
            password: Secret::new("pw"),
        }),
        ticket: Some("42".into()),
    };
    let results = wizard::run(input, &SystemClock).await;
    let summary: Vec<(&str, Status)> = results
        .iter()
        .map(|r| (r.step().name(), r.status()))
        .collect();
    assert_eq!(
        summary,
        [
            ("one_psa", Status::Failed),
            ("tenants", Status::Skipped),
            ("ncentral_login", Status::Passed),
            ("ncentral_discovery", Status::Passed),
            ("ncentral_psa_credentials", Status::Passed),
            ("ncentral_ticket", Status::Failed),
        ]
    );
    assert!(
        results[2].message().contains("offers no token exchange"),
        "{}",
        results[2].message()
    );
    assert!(
        results[3]
            .message()
            .contains("(but no custom PSA ticket look-up)"),
        "{}",
        results[3].message()
    );
    assert!(
        results[5]
            .message()
            .contains("does not offer 'custom-psa-ticket-info'"),
        "{}",
        results[5].message()
    );
    assert_eq!(results[0].fix(), Some("Set it up."));

    let seen = seen.lock().expect("lock").clone();
    assert_eq!(
        seen,
        [
            format!("POST /api/auth/authenticate Bearer {JWT}"),
            format!("GET /api/standard-psa Bearer {JWT}"),
            format!("GET /api/custom-psa Bearer {JWT}"),
            format!("POST /api/standard-psa/3/credential Bearer {JWT}"),
        ]
    );
}
