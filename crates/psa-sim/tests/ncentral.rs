//! The N-central API over real HTTP: Bearer and INTEGRATION-KEY checks, HAL links, credential
//! validation, custom-PSA ticket info, token exchange.

mod common;

use common::{Sim, config, new_ticket};
use psa_sim::{NcentralConfig, SimConfig};
use serde_json::{Value, json};

const JWT: &str = "user-api-jwt";
const INTEGRATION_KEY: &str = "nc-integration-key";

fn ncentral_config() -> SimConfig {
    config().ncentral(NcentralConfig {
        jwt: JWT.into(),
        integration_key: INTEGRATION_KEY.into(),
        psa_credentials: vec![
            "tigerpaw:tech@example.com:securePassword123"
                .parse()
                .unwrap(),
        ],
    })
}

fn creds(username: &str, password: &str) -> Value {
    json!({ "username": username, "password": password })
}

impl Sim {
    async fn nc_get(&self, path: &str, bearer: Option<&str>) -> (u16, Value) {
        let mut req = self.http.get(self.url(path));
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        let resp = req.send().await.unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }

    async fn nc_post(
        &self,
        path: &str,
        bearer: Option<&str>,
        integration_key: Option<&str>,
        body: &Value,
    ) -> (u16, Value) {
        let mut req = self.http.post(self.url(path)).json(body);
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        if let Some(key) = integration_key {
            req = req.header("INTEGRATION-KEY", key);
        }
        let resp = req.send().await.unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }
}

#[tokio::test]
async fn discovery_links_are_n_ables_and_need_the_bearer() {
    let sim = Sim::start(ncentral_config()).await;
    let (status, body) = sim.nc_get("/api/standard-psa", Some(JWT)).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "_links": { "standard-psa-validate-credential": "/api/standard-psa/{psaType}/credential" } })
    );
    let (status, body) = sim.nc_get("/api/custom-psa", Some(JWT)).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "_links": {
            "custom-psa-ticket-info": "/api/custom-psa/tickets/{customPsaTicketId}",
            "custom-psa-tickets": "/api/custom-psa/tickets",
        } })
    );
    for path in [
        "/api/standard-psa",
        "/api/custom-psa",
        "/api/custom-psa/tickets",
    ] {
        for bearer in [None, Some("not-the-jwt")] {
            let (status, body) = sim.nc_get(path, bearer).await;
            assert_eq!(
                (status, body),
                (401, json!({ "error": "unauthorized" })),
                "{path}"
            );
        }
    }
    let (status, _) = sim
        .nc_post(
            "/api/standard-psa/3/credential",
            None,
            Some(INTEGRATION_KEY),
            &creds("a", "b"),
        )
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn credentials_validate_against_the_configured_ones() {
    let sim = Sim::start(ncentral_config()).await;
    let good = creds("tech@example.com", "securePassword123");
    for psa_type in ["3", "tigerpaw", "TigerPaw", "TIGERPAW"] {
        let path = format!("/api/standard-psa/{psa_type}/credential");
        let (status, body) = sim
            .nc_post(&path, Some(JWT), Some(INTEGRATION_KEY), &good)
            .await;
        assert_eq!(status, 200, "{psa_type}");
        assert_eq!(
            body,
            json!({ "data": { "isPsaCredentialsValid": true }, "_links": {} })
        );
    }
    let path = "/api/standard-psa/3/credential";
    let wrong = creds("tech@example.com", "guess");
    let (status, body) = sim
        .nc_post(path, Some(JWT), Some(INTEGRATION_KEY), &wrong)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "data": { "isPsaCredentialsValid": false }, "_links": {} })
    );

    for key in [None, Some("wrong-key")] {
        let (status, _) = sim.nc_post(path, Some(JWT), key, &good).await;
        assert_eq!(status, 403, "integration key {key:?}");
    }

    let (status, body) = sim
        .nc_post(
            "/api/standard-psa/7/credential",
            Some(JWT),
            Some(INTEGRATION_KEY),
            &good,
        )
        .await;
    assert_eq!(
        (status, body),
        (400, json!({ "error": "unsupported_psa_type" }))
    );

    let (status, body) = sim
        .nc_post(
            path,
            Some(JWT),
            Some(INTEGRATION_KEY),
            &json!({ "username": "tech@example.com" }),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["field"], "password");
}

#[tokio::test]
async fn custom_psa_ticket_info_uses_the_zoned_creation_date() {
    let sim = Sim::start(ncentral_config()).await;
    let resp = sim
        .create_ticket(&new_ticket("acme"), Some("c1"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let id = sim.sim_tickets().await[0].ticket.id.clone();

    let good = creds("tech@example.com", "securePassword123");
    let path = format!("/api/custom-psa/tickets/{id}");
    let (status, body) = sim
        .nc_post(&path, Some(JWT), Some(INTEGRATION_KEY), &good)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({
            "data": {
                "ticketId": id,
                "ticketTitle": "Disk almost full on FS01",
                "ticketDetails": "C: at 97%",
                "ticketStatus": "New",
                "creationDate": "2024-02-21T06:28:10.624-05:00[America/New_York]",
            },
            "_links": {},
        })
    );

    let (status, body) = sim
        .nc_post(
            "/api/custom-psa/tickets/T-9999",
            Some(JWT),
            Some(INTEGRATION_KEY),
            &good,
        )
        .await;
    assert_eq!((status, body), (404, json!({ "error": "not_found" })));
    let (status, _) = sim.nc_post(&path, Some(JWT), None, &good).await;
    assert_eq!(status, 403);
    let (status, body) = sim
        .nc_post(
            &path,
            Some(JWT),
            Some(INTEGRATION_KEY),
            &json!({ "password": "x" }),
        )
        .await;
    assert_eq!((status, &body["field"]), (400, &json!("username")));

    let (status, body) = sim.nc_get("/api/custom-psa/tickets", Some(JWT)).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"][0]["ticketId"], id.as_str());
    assert_eq!(
        body["_links"]["custom-psa-ticket-info"],
        "/api/custom-psa/tickets/{customPsaTicketId}"
    );
}

#[tokio::test]
async fn the_jwt_exchanges_for_access_and_refresh_tokens() {
    let sim = Sim::start(ncentral_config()).await;
    let (status, _) = sim
        .nc_post("/api/auth/authenticate", Some("wrong"), None, &json!({}))
        .await;
    assert_eq!(status, 401);

    let (status, body) = sim
        .nc_post("/api/auth/authenticate", Some(JWT), None, &json!({}))
        .await;
    assert_eq!(status, 200);
    let access = body["tokens"]["access"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = body["tokens"]["refresh"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(body["tokens"]["access"]["type"], "Bearer");
    assert!(body["tokens"]["access"]["expirySeconds"].as_u64().unwrap() > 0);

    let (status, _) = sim.nc_get("/api/standard-psa", Some(&access)).await;
    assert_eq!(status, 200);
    // Only the User-API token itself is exchanged, not an access token.
    let (status, _) = sim
        .nc_post("/api/auth/authenticate", Some(&access), None, &json!({}))
        .await;
    assert_eq!(status, 401);

    let resp = sim
        .http
        .post(sim.url("/api/auth/refresh"))
        .header("Content-Type", "text/plain")
        .body(refresh)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let renewed = body["tokens"]["access"]["token"].as_str().unwrap();
    assert_ne!(renewed, access);
    let (status, _) = sim.nc_get("/api/custom-psa", Some(renewed)).await;
    assert_eq!(status, 200);

    let resp = sim
        .http
        .post(sim.url("/api/auth/refresh"))
        .body("not-a-refresh-token")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}
