//! An N-central server without the token exchange (`/api/auth/authenticate` answers 404), as
//! N-able's guide describes it (docs/psa-contract.md §2.1): the wizard's N-central steps pass sending the User-API token itself,
//! following the HAL links in their `{"href": ..}` form. psa-sim always offers the exchange, so
//! this server is the scripted stub of `common`.

mod common;

use common::{Answer, Seen, Stub};
use oncall_core::{
    SystemClock,
    problem::Remedy,
    psa::NcentralConfig,
    secrets::Secret,
    wizard::{self, Blocker, Input, NcentralAccess, Status},
};

const JWT: &str = "user-api-token";

/// N-central as N-able's guide shows it, without `/api/auth/authenticate`.
fn answer(req: &Seen) -> Answer {
    let bearer_ok = req.header("authorization") == Some(&format!("Bearer {JWT}"));
    let (status, body) = match (req.method.as_str(), req.path.as_str()) {
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
    (status, Vec::new(), body.to_owned())
}

#[tokio::test]
async fn without_a_token_exchange_the_user_api_token_is_sent_as_it_is() {
    let stub = Stub::start(answer).await;
    let url = stub.url.clone();

    let input = Input {
        psa: Err(Blocker {
            message: "The One PSA is not set up.".into(),
            remedy: Remedy::SetUpPsa,
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
    assert_eq!(results[0].remedy(), Some(&Remedy::SetUpPsa));

    let seen: Vec<String> = stub
        .seen()
        .iter()
        .map(|r| {
            let auth = r.header("authorization").unwrap_or("-");
            format!("{} {} {auth}", r.method, r.path)
        })
        .collect();
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
