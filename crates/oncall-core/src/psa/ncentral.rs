//! The N-central PSA integration API (docs/psa-contract.md §2): the token exchange, discovery
//! by the HAL `_links` the server gives, standard-PSA credential validation and the custom-PSA
//! ticket look-up. Secrets go in headers marked sensitive and nowhere else.

use std::{collections::BTreeMap, time::Duration};

use jiff::{Timestamp, Zoned, tz::TimeZone};
use reqwest::{
    Client, Request, RequestBuilder, StatusCode, Url,
    header::{AUTHORIZATION, HeaderValue},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    ConfigError, check_url,
    http::{self, HttpError},
};
use crate::secrets::Secret;

/// Where N-central is and how to sign in to it.
#[derive(Debug, Clone)]
pub struct NcentralConfig {
    /// The server's base URL (always ending in `/`, so its path is kept for every call and
    /// link).
    pub url: Url,
    /// The User-API token (JWT).
    pub jwt: Secret,
    /// The `INTEGRATION-KEY` sent on every POST.
    pub integration_key: Secret,
}

impl NcentralConfig {
    /// Checks the URL: HTTPS, or HTTP on a loopback host. (The secrets were checked when they
    /// were stored, as an [`NcentralLogin`](crate::secrets::NcentralLogin).)
    pub fn new(url: &str, jwt: Secret, integration_key: Secret) -> Result<Self, ConfigError> {
        Ok(Self {
            url: check_url(url)?,
            jwt,
            integration_key,
        })
    }
}

/// What went wrong talking to N-central, one kind per status N-able documents and per way a
/// connection fails (psa-contract.md §2.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NcentralError {
    /// 400: a missing or invalid parameter (or, for credential validation, a PSA type the
    /// server cannot validate).
    #[error("N-central refused the request as invalid (400 {reason}{})", field.as_ref().map(|f| format!(", field '{f}'")).unwrap_or_default())]
    BadRequest {
        /// The server's reason.
        reason: String,
        /// The field at fault, if named.
        field: Option<String>,
    },
    /// 401: the User-API token (or the access token it was exchanged for) is wrong or expired.
    #[error("N-central refused the User-API token (401)")]
    Unauthorized,
    /// 403: the integration key is wrong.
    #[error("N-central refused the integration key (403 {0})")]
    Forbidden(String),
    /// 404: no such resource (ticket, PSA type or endpoint).
    #[error("N-central has no such resource (404 {0})")]
    NotFound(String),
    /// 429: too many requests; wait as told.
    #[error("N-central is rate limiting requests (429){}", .0.map(|d| format!("; retry after {} s", d.as_secs())).unwrap_or_default())]
    RateLimited(Option<Duration>),
    /// 5xx: the server failed.
    #[error("N-central failed ({0})")]
    Server(String),
    /// The connection could not be made or timed out.
    #[error("cannot reach N-central: {0}")]
    Network(String),
    /// The secure connection could not be set up (certificate, protocol).
    #[error("the secure (TLS) connection to N-central failed: {0}")]
    Tls(String),
    /// An answer that is not what the API describes.
    #[error("N-central's answer could not be understood: {0}")]
    Malformed(String),
    /// The server did not offer a link the step needs.
    #[error("N-central does not offer '{0}' (its answer has no such link)")]
    MissingLink(String),
    /// A 3xx: not followed, as the hop would carry the token, key and PSA login elsewhere.
    #[error(
        "N-central answered {status} redirecting to {location}; its API does not redirect, so it \
         was not followed (the token, key and PSA login stay here); ncentral.url may be out of \
         date"
    )]
    Redirected {
        /// The status code.
        status: u16,
        /// Where it pointed, without query or credentials.
        location: String,
    },
    /// A link to another server or scheme than the configured one: not followed, as the
    /// request would carry the token, key and PSA login there.
    #[error(
        "N-central's '{rel}' link points to {href}, outside the configured server {server}: it \
         was not followed (the token, key and PSA login stay here)"
    )]
    ForeignLink {
        /// The link's relation.
        rel: String,
        /// Where it pointed, without query or credentials.
        href: String,
        /// The configured server's origin.
        server: String,
    },
    /// An argument that cannot be put in a URL (e.g. an empty ticket id).
    #[error("{0}")]
    Invalid(String),
}

/// What [`NcentralClient::authenticate`] did with the User-API token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenExchange {
    /// The server exchanged it for an access token, which later calls use.
    Exchanged,
    /// The server has no exchange (404); later calls send the token itself, as N-able's guide
    /// does (psa-contract.md §2.1).
    NotOffered,
}

/// The links N-central's discovery answers offered, by relation name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Discovery {
    links: BTreeMap<String, String>,
}

impl Discovery {
    /// The standard-PSA credential validation link (templated with `{psaType}`).
    pub const VALIDATE_CREDENTIAL: &str = "standard-psa-validate-credential";
    /// The custom-PSA ticket look-up link (templated with `{customPsaTicketId}`).
    pub const TICKET_INFO: &str = "custom-psa-ticket-info";

    /// The link's target for a relation, if offered.
    pub fn link(&self, rel: &str) -> Option<&str> {
        self.links.get(rel).map(String::as_str)
    }

    /// Adds the `_links` of one discovery answer (`GET /api/standard-psa`, `/api/custom-psa`):
    /// HAL allows a bare string, `{"href": ..}`, or an array of those (the first is used).
    pub fn add(&mut self, answer: &Value) {
        let Some(links) = answer.get("_links").and_then(Value::as_object) else {
            return;
        };
        for (rel, link) in links {
            let first = link.as_array().and_then(|a| a.first()).unwrap_or(link);
            let href = first
                .as_str()
                .or_else(|| first.get("href").and_then(Value::as_str));
            if let Some(href) = href {
                self.links.insert(rel.clone(), href.to_owned());
            }
        }
    }
}

/// A custom-PSA ticket as N-central shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomPsaTicket {
    /// The ticket id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its details (may be empty).
    pub details: String,
    /// Its status, in the PSA's words.
    pub status: String,
    /// The creation date as sent, e.g. `2024-02-21T06:28:10.624-05:00[America/New_York]`.
    pub creation_date: String,
    /// The creation date parsed, in its zone (in UTC when the zone is unknown here); `None`
    /// when it cannot be read.
    pub created: Option<Zoned>,
}

impl CustomPsaTicket {
    /// Reads the custom-PSA ticket look-up's answer, `{"data": {"ticketId": .., ..}}`
    /// (psa-contract.md §2.3).
    pub fn from_answer(answer: Value) -> Result<Self, NcentralError> {
        let answer: Data<TicketInfo> = serde_json::from_value(answer)
            .map_err(|e| NcentralError::Malformed(format!("{e} in the ticket answer")))?;
        custom_psa_ticket(answer.data)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TicketInfo {
    ticket_id: Value,
    #[serde(default)]
    ticket_title: Option<String>,
    #[serde(default)]
    ticket_details: Option<String>,
    #[serde(default)]
    ticket_status: Option<String>,
    #[serde(default)]
    creation_date: Option<String>,
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CredentialValidity {
    is_psa_credentials_valid: bool,
}

#[derive(Deserialize)]
struct AuthAnswer {
    tokens: AuthTokens,
}

#[derive(Deserialize)]
struct AuthTokens {
    access: AuthToken,
}

#[derive(Deserialize)]
struct AuthToken {
    token: String,
}

#[derive(Serialize)]
struct PsaLogin<'a> {
    username: &'a str,
    password: &'a str,
}

/// A client of N-central's PSA integration API.
#[derive(Debug, Clone)]
pub struct NcentralClient {
    http: Client,
    config: NcentralConfig,
    /// What goes in `Authorization: Bearer`: the JWT, or the access token it was exchanged for.
    bearer: Secret,
}

impl NcentralClient {
    /// A client for `config`, with connect and request timeouts.
    pub fn new(config: NcentralConfig) -> Result<Self, NcentralError> {
        let http = http::client(&config.url).map_err(NcentralError::Tls)?;
        Ok(Self {
            bearer: config.jwt.clone(),
            http,
            config,
        })
    }

    /// `POST /api/auth/authenticate` with the User-API token; on success later calls use the
    /// access token. A server without the exchange (404, 405) keeps the token itself.
    pub async fn authenticate(&mut self) -> Result<TokenExchange, NcentralError> {
        let url = self.url("api/auth/authenticate")?;
        let req = build(self.http.post(url).header(
            AUTHORIZATION,
            sensitive(&format!("Bearer {}", self.config.jwt.expose()))?,
        ))?;
        let resp = http::execute(&self.http, req).await?;
        if matches!(
            resp.status(),
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
        ) {
            self.bearer = self.config.jwt.clone();
            return Ok(TokenExchange::NotOffered);
        }
        let answer: AuthAnswer = http::read(resp).await?;
        self.bearer = Secret::new(answer.tokens.access.token);
        Ok(TokenExchange::Exchanged)
    }

    /// `GET /api/standard-psa` and `GET /api/custom-psa`: the links to follow.
    pub async fn discover(&self) -> Result<Discovery, NcentralError> {
        let mut discovery = Discovery::default();
        for path in ["api/standard-psa", "api/custom-psa"] {
            let req = build(self.authorized(self.http.get(self.url(path)?))?)?;
            let answer: Value = http::send(&self.http, req).await?;
            discovery.add(&answer);
        }
        Ok(discovery)
    }

    /// Follows the credential validation link for `psa_type`: whether N-central accepts the
    /// standard PSA's username and password.
    pub async fn validate_credentials(
        &self,
        discovery: &Discovery,
        psa_type: &str,
        username: &str,
        password: &Secret,
    ) -> Result<bool, NcentralError> {
        let url = self.follow(
            discovery,
            Discovery::VALIDATE_CREDENTIAL,
            "psaType",
            psa_type,
        )?;
        let answer: Data<CredentialValidity> =
            http::send(&self.http, self.post(url, username, password)?).await?;
        Ok(answer.data.is_psa_credentials_valid)
    }

    /// Follows the custom-PSA ticket link for `ticket_id`.
    pub async fn ticket(
        &self,
        discovery: &Discovery,
        ticket_id: &str,
        username: &str,
        password: &Secret,
    ) -> Result<CustomPsaTicket, NcentralError> {
        let url = self.follow(
            discovery,
            Discovery::TICKET_INFO,
            "customPsaTicketId",
            ticket_id,
        )?;
        let answer: Value = http::send(&self.http, self.post(url, username, password)?).await?;
        CustomPsaTicket::from_answer(answer)
    }

    fn url(&self, path: &str) -> Result<Url, NcentralError> {
        self.config
            .url
            .join(path)
            .map_err(|e| NcentralError::Invalid(format!("cannot build the URL: {e}")))
    }

    /// The URL a templated link points to, with `var` filled in as one path segment; see
    /// [`NcentralClient::resolve`].
    fn follow(
        &self,
        discovery: &Discovery,
        rel: &str,
        var: &str,
        value: &str,
    ) -> Result<Url, NcentralError> {
        let href = discovery
            .link(rel)
            .ok_or_else(|| NcentralError::MissingLink(rel.to_owned()))?;
        let placeholder = format!("{{{var}}}");
        if !href.contains(&placeholder) {
            return Err(NcentralError::Malformed(format!(
                "the '{rel}' link {href} has no {placeholder}"
            )));
        }
        self.resolve(rel, &href.replace(&placeholder, &segment(var, value)?))
    }

    /// A link resolved only against the configured server: a link to another origin is
    /// refused, and a root-relative link (as N-able's `/api/...`) outside the base path is
    /// taken as relative to it, as a server behind a path prefix does not know its prefix
    /// (psa-contract.md §2.2).
    fn resolve(&self, rel: &str, href: &str) -> Result<Url, NcentralError> {
        let base = &self.config.url;
        let target = base
            .join(href)
            .map_err(|e| NcentralError::Malformed(format!("the '{rel}' link {href}: {e}")))?;
        if target.origin() != base.origin() {
            return Err(NcentralError::ForeignLink {
                rel: rel.to_owned(),
                href: http::bare(&target),
                server: base.origin().ascii_serialization(),
            });
        }
        if target.path().starts_with(base.path()) {
            return Ok(target);
        }
        let mut relative = target.path().trim_start_matches('/').to_owned();
        if let Some(query) = target.query() {
            relative = format!("{relative}?{query}");
        }
        self.url(&relative)
    }

    fn authorized(&self, req: RequestBuilder) -> Result<RequestBuilder, NcentralError> {
        Ok(req.header(
            AUTHORIZATION,
            sensitive(&format!("Bearer {}", self.bearer.expose()))?,
        ))
    }

    fn post(&self, url: Url, username: &str, password: &Secret) -> Result<Request, NcentralError> {
        build(
            self.authorized(self.http.post(url))?
                .header(
                    "INTEGRATION-KEY",
                    sensitive(self.config.integration_key.expose())?,
                )
                .json(&PsaLogin {
                    username,
                    password: password.expose(),
                }),
        )
    }
}

/// A header value that HTTP libraries must not print (e.g. in a trace log).
fn sensitive(value: &str) -> Result<HeaderValue, NcentralError> {
    http::sensitive(value).ok_or_else(|| {
        NcentralError::Invalid("a token or key contains characters a header cannot carry".into())
    })
}

/// The request, built before sending so a bad URL or body is named before anything goes out.
fn build(req: RequestBuilder) -> Result<Request, NcentralError> {
    req.build()
        .map_err(|e| NcentralError::Invalid(format!("cannot build the request: {e}")))
}

/// A value as one URL path segment, so an odd ticket id or PSA type cannot change the path.
fn segment(what: &str, value: &str) -> Result<String, NcentralError> {
    http::path_segment(value)
        .ok_or_else(|| NcentralError::Invalid(format!("'{value}' is not a valid {what}")))
}

fn custom_psa_ticket(info: TicketInfo) -> Result<CustomPsaTicket, NcentralError> {
    let id = match info.ticket_id {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        other => {
            return Err(NcentralError::Malformed(format!(
                "ticketId is {}",
                match other {
                    Value::Null => "null",
                    Value::Bool(_) => "a boolean",
                    _ => "not a string or number",
                }
            )));
        }
    };
    let creation_date = info.creation_date.unwrap_or_default();
    Ok(CustomPsaTicket {
        id,
        title: info.ticket_title.unwrap_or_default(),
        details: info.ticket_details.unwrap_or_default(),
        status: info.ticket_status.unwrap_or_default(),
        created: parse_creation_date(&creation_date),
        creation_date,
    })
}

/// Reads N-central's zoned form (`2024-02-21T06:28:10.624-05:00[America/New_York]`); when the
/// zone is unknown on this machine, the instant still counts, shown in UTC.
fn parse_creation_date(text: &str) -> Option<Zoned> {
    text.parse::<Zoned>().ok().or_else(|| {
        text.parse::<Timestamp>()
            .ok()
            .map(|ts| ts.to_zoned(TimeZone::UTC))
    })
}

impl From<HttpError> for NcentralError {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::Tls(cause) => Self::Tls(cause),
            HttpError::Unreachable(cause) | HttpError::Lost(cause) => Self::Network(cause),
            HttpError::Malformed(m) => Self::Malformed(m),
            HttpError::Redirected { status, location } => Self::Redirected { status, location },
            HttpError::BadRequest { reason, field } => Self::BadRequest { reason, field },
            HttpError::Unauthorized => Self::Unauthorized,
            HttpError::Forbidden(reason) => Self::Forbidden(reason),
            HttpError::NotFound(reason) => Self::NotFound(reason),
            HttpError::RateLimited(after) => Self::RateLimited(after),
            HttpError::Server(status) => Self::Server(status),
            // N-central documents no 409.
            HttpError::Conflict(reason) => {
                Self::Malformed(format!("unexpected status 409 {reason}"))
            }
            HttpError::Unexpected { status, reason } => {
                Self::Malformed(format!("unexpected status {status} {reason}"))
            }
        }
    }
}

/// One error of each kind, for tests that check every text; the match fails to compile when a
/// kind is added without a sample here.
#[cfg(test)]
pub(crate) fn every_error_kind() -> Vec<NcentralError> {
    let all = vec![
        NcentralError::BadRequest {
            reason: "invalid".into(),
            field: Some("password".into()),
        },
        NcentralError::BadRequest {
            reason: "invalid".into(),
            field: None,
        },
        NcentralError::Unauthorized,
        NcentralError::Forbidden("bad key".into()),
        NcentralError::NotFound("no such ticket".into()),
        NcentralError::RateLimited(Some(Duration::from_secs(30))),
        NcentralError::Server("503".into()),
        NcentralError::Network("connection refused".into()),
        NcentralError::Tls("invalid peer certificate".into()),
        NcentralError::Malformed("not JSON".into()),
        NcentralError::MissingLink("validate-credential".into()),
        NcentralError::Redirected {
            status: 302,
            location: "https://elsewhere.example.com".into(),
        },
        NcentralError::ForeignLink {
            rel: "validate-credential".into(),
            href: "https://elsewhere.example.com".into(),
            server: "https://n-central.example.com".into(),
        },
        NcentralError::Invalid("the ticket id is empty".into()),
    ];
    for e in &all {
        match e {
            NcentralError::BadRequest { .. }
            | NcentralError::Unauthorized
            | NcentralError::Forbidden(_)
            | NcentralError::NotFound(_)
            | NcentralError::RateLimited(_)
            | NcentralError::Server(_)
            | NcentralError::Network(_)
            | NcentralError::Tls(_)
            | NcentralError::Malformed(_)
            | NcentralError::MissingLink(_)
            | NcentralError::Redirected { .. }
            | NcentralError::ForeignLink { .. }
            | NcentralError::Invalid(_) => {}
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_may_be_strings_objects_or_arrays() {
        let mut d = Discovery::default();
        d.add(&serde_json::json!({"_links": {
            "standard-psa-validate-credential": "/api/standard-psa/{psaType}/credential",
            "custom-psa-ticket-info": {"href": "/api/custom-psa/tickets/{customPsaTicketId}", "templated": true},
            "custom-psa-tickets": [{"href": "/api/custom-psa/tickets"}],
            "odd": 7
        }}));
        assert_eq!(
            d.link(Discovery::VALIDATE_CREDENTIAL),
            Some("/api/standard-psa/{psaType}/credential")
        );
        assert_eq!(
            d.link(Discovery::TICKET_INFO),
            Some("/api/custom-psa/tickets/{customPsaTicketId}")
        );
        assert_eq!(
            d.link("custom-psa-tickets"),
            Some("/api/custom-psa/tickets")
        );
        assert_eq!(d.link("odd"), None);
    }

    #[test]
    fn templated_links_take_one_encoded_segment() {
        let config = NcentralConfig::new(
            "https://nc.example.com/base",
            Secret::new("j"),
            Secret::new("k"),
        )
        .unwrap();
        assert_eq!(config.url.as_str(), "https://nc.example.com/base/");
        let client = NcentralClient::new(config).unwrap();
        let mut d = Discovery::default();
        d.add(&serde_json::json!({"_links": {
            "custom-psa-ticket-info": "api/custom-psa/tickets/{customPsaTicketId}",
            "standard-psa-validate-credential": "/api/standard-psa/credential"
        }}));
        let url = client
            .follow(&d, Discovery::TICKET_INFO, "customPsaTicketId", "a/b ?")
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://nc.example.com/base/api/custom-psa/tickets/a%2Fb%20%3F"
        );
        assert!(matches!(
            client.follow(&d, Discovery::TICKET_INFO, "customPsaTicketId", ".."),
            Err(NcentralError::Invalid(_))
        ));
        assert!(matches!(
            client.follow(&d, Discovery::VALIDATE_CREDENTIAL, "psaType", "3"),
            Err(NcentralError::Malformed(_))
        ));
        assert!(matches!(
            client.follow(
                &Discovery::default(),
                Discovery::TICKET_INFO,
                "customPsaTicketId",
                "1"
            ),
            Err(NcentralError::MissingLink(_))
        ));
    }

    #[test]
    fn every_secret_header_is_sensitive() {
        let config =
            NcentralConfig::new("https://nc.example.com", Secret::new("j"), Secret::new("k"))
                .unwrap();
        let client = NcentralClient::new(config).unwrap();
        let url = client.url("api/x").unwrap();
        let req = client.post(url, "tech", &Secret::new("pw")).unwrap();
        assert!(req.headers()[AUTHORIZATION].is_sensitive());
        assert!(req.headers()["integration-key"].is_sensitive());
    }

    #[test]
    fn links_stay_on_the_configured_server_under_its_path() {
        let config = NcentralConfig::new(
            "https://nc.example.com/nc",
            Secret::new("j"),
            Secret::new("k"),
        )
        .unwrap();
        let client = NcentralClient::new(config).unwrap();
        let at = |href: &str| client.resolve("rel", href).map(|u| u.to_string());
        let under = "https://nc.example.com/nc/api/standard-psa/3/credential";
        assert_eq!(at("/api/standard-psa/3/credential").unwrap(), under);
        assert_eq!(at("/nc/api/standard-psa/3/credential").unwrap(), under);
        assert_eq!(at(under).unwrap(), under);
        assert_eq!(
            at("//nc.example.com/api/x?a=1").unwrap(),
            "https://nc.example.com/nc/api/x?a=1"
        );
        for foreign in [
            "https://evil.example/api/x",
            "http://nc.example.com/nc/api/x",
            "https://nc.example.com:8443/nc/api/x",
            "//evil.example/api/x",
        ] {
            assert!(
                matches!(
                    client.resolve("rel", foreign),
                    Err(NcentralError::ForeignLink { .. })
                ),
                "{foreign}"
            );
        }
    }

    #[test]
    fn the_documented_zoned_creation_date_is_read() {
        let z =
            parse_creation_date("2024-02-21T06:28:10.624-05:00[America/New_York]").expect("parsed");
        assert_eq!(z.time_zone().iana_name(), Some("America/New_York"));
        assert_eq!(z.timestamp().to_string(), "2024-02-21T11:28:10.624Z");
        let z = parse_creation_date("2024-02-21T06:28:10-05:00[Nowhere/Unknown]").expect("parsed");
        assert_eq!(z.timestamp().to_string(), "2024-02-21T11:28:10Z");
        assert_eq!(parse_creation_date("yesterday"), None);
    }

    #[test]
    fn a_ticket_answer_without_its_data_is_malformed() {
        for answer in [
            serde_json::json!({"ticketId": "1"}),
            serde_json::json!({"data": {"ticketTitle": "Network"}}),
            serde_json::json!({"data": {"ticketId": true}}),
        ] {
            assert!(
                matches!(
                    CustomPsaTicket::from_answer(answer.clone()),
                    Err(NcentralError::Malformed(_))
                ),
                "{answer}"
            );
        }
    }

    #[test]
    fn numeric_ticket_ids_are_kept_as_text() {
        let info: TicketInfo = serde_json::from_value(serde_json::json!({
            "ticketId": 1142285696_u64, "ticketTitle": "Network", "ticketDetails": null,
            "ticketStatus": "CREATE_TICKET_CREATED_IN_NCENTRAL",
            "creationDate": "2024-02-21T06:28:10.624-05:00[America/New_York]"
        }))
        .unwrap();
        let t = custom_psa_ticket(info).unwrap();
        assert_eq!(t.id, "1142285696");
        assert_eq!(t.details, "");
        assert!(t.created.is_some());
    }
}
