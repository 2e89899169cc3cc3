//! What a simulator is started with: key, tenants, faults, storage and the N-central settings.

use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The JWT the N-central API accepts when none is configured.
pub const DEFAULT_NCENTRAL_JWT: &str = "sim-jwt";
/// The N-central `INTEGRATION-KEY` accepted when none is configured.
pub const DEFAULT_NCENTRAL_INTEGRATION_KEY: &str = "sim-integration-key";

/// A malformed setting (flag value, fault rate, tenant or credential).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A `--tenant` value that is not `ID=COMPANY` with both parts non-empty.
    #[error("tenant must be ID=COMPANY with both parts non-empty, got {0:?}")]
    Tenant(String),
    /// A `--psa-credential` value that is not `TYPE:USER:PASSWORD`.
    #[error("PSA credential must be TYPE:USER:PASSWORD, got {0:?}")]
    Credential(String),
    /// A PSA type N-central cannot validate.
    #[error("unsupported PSA type {0:?} (supported: 3 or tigerpaw)")]
    PsaType(String),
    /// A base path that is not `/` followed by path segments.
    #[error("base path must start with '/' and not end with it, e.g. /psa, got {0:?}")]
    BasePath(String),
    /// A fault setting out of range.
    #[error("fault {field} out of range: {reason}")]
    Fault {
        /// The fault's field name, as in [`Faults`].
        field: &'static str,
        /// Why the value is refused.
        reason: &'static str,
    },
}

/// Everything a simulator needs to start; build it with [`SimConfig::new`] and the setters.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The `X-Integration-Key` every One PSA call must carry.
    pub key: String,
    /// The tenants the key may use, as `(tenant_id, company)`, in display order.
    pub tenants: Vec<(String, String)>,
    /// Faults in force at start; they can be changed at run time under `/_sim/faults`.
    pub faults: Faults,
    /// SQLite file that keeps the state across restarts; in memory when `None`.
    pub state: Option<PathBuf>,
    /// The N-central API's credentials.
    pub ncentral: NcentralConfig,
    /// Whether a non-loopback listen address is allowed.
    pub allow_non_loopback: bool,
    /// A path every route is served under, e.g. `/psa` (as behind a reverse proxy); empty for
    /// the root.
    pub base_path: String,
}

impl SimConfig {
    /// A config with this integration key, no tenants, no faults, in-memory state.
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            tenants: Vec::new(),
            faults: Faults::default(),
            state: None,
            ncentral: NcentralConfig::default(),
            allow_non_loopback: false,
            base_path: String::new(),
        }
    }

    /// Adds a tenant the key may use, mapped to its client company.
    pub fn tenant(mut self, id: impl Into<String>, company: impl Into<String>) -> Self {
        self.tenants.push((id.into(), company.into()));
        self
    }

    /// Sets the faults in force at start.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Keeps the state in this SQLite file.
    pub fn state(mut self, path: impl Into<PathBuf>) -> Self {
        self.state = Some(path.into());
        self
    }

    /// Sets the N-central settings.
    pub fn ncentral(mut self, ncentral: NcentralConfig) -> Self {
        self.ncentral = ncentral;
        self
    }

    /// Serves every route under `path`, e.g. `/psa`.
    pub fn base_path(mut self, path: impl Into<String>) -> Self {
        self.base_path = path.into();
        self
    }

    /// Checks the base path: empty, or `/` followed by segments, without a trailing `/`.
    pub(crate) fn validate_base_path(&self) -> Result<(), ConfigError> {
        let p = &self.base_path;
        if p.is_empty() || (p.starts_with('/') && !p.ends_with('/') && !p.contains("//")) {
            Ok(())
        } else {
            Err(ConfigError::BasePath(p.clone()))
        }
    }

    /// Allows (or refuses) a non-loopback listen address.
    pub fn allow_non_loopback(mut self, allow: bool) -> Self {
        self.allow_non_loopback = allow;
        self
    }
}

/// Faults injected into `/api/*` calls (never into `/_sim/*`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Token-bucket rate limit in requests per second; `None` means unlimited.
    pub rate_limit: Option<f64>,
    /// Share of requests answered 500 or 503 before anything is applied.
    pub fail_rate: f64,
    /// Delay added to every request, in milliseconds.
    pub latency_ms: u64,
    /// Share of requests whose connection is closed without a response, before anything is applied.
    pub drop_rate: f64,
    /// Share of requests that are applied, then whose connection is closed without a response.
    pub lose_response_rate: f64,
    /// Share of requests answered `200` with a body that is not the API's JSON (as a
    /// misbehaving proxy would), before anything is applied.
    pub garble_rate: f64,
}

impl Faults {
    /// Checks that every rate is a share in `0..=1` and the rate limit is positive.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(rps) = self.rate_limit
            && !(rps.is_finite() && rps > 0.0)
        {
            return Err(ConfigError::Fault {
                field: "rate_limit",
                reason: "must be a positive number of requests per second",
            });
        }
        for (field, share) in [
            ("fail_rate", self.fail_rate),
            ("drop_rate", self.drop_rate),
            ("lose_response_rate", self.lose_response_rate),
            ("garble_rate", self.garble_rate),
        ] {
            if !(0.0..=1.0).contains(&share) {
                return Err(ConfigError::Fault {
                    field,
                    reason: "must be a share between 0 and 1",
                });
            }
        }
        Ok(())
    }
}

/// The N-central side: the User-API token, the integration key and the PSA credentials it knows.
#[derive(Clone, Debug)]
pub struct NcentralConfig {
    /// The User-API token (JWT) accepted as `Authorization: Bearer`.
    pub jwt: String,
    /// The `INTEGRATION-KEY` every N-central POST must carry.
    pub integration_key: String,
    /// Standard-PSA credentials that validate as correct.
    pub psa_credentials: Vec<PsaCredential>,
}

impl Default for NcentralConfig {
    fn default() -> Self {
        Self {
            jwt: DEFAULT_NCENTRAL_JWT.to_owned(),
            integration_key: DEFAULT_NCENTRAL_INTEGRATION_KEY.to_owned(),
            psa_credentials: Vec::new(),
        }
    }
}

/// A standard PSA that N-central can validate credentials for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PsaType {
    /// Tigerpaw, N-central's PSA type `3`.
    Tigerpaw,
}

impl FromStr for PsaType {
    type Err = ConfigError;

    /// Accepts the numeric id `3` or the name `tigerpaw` in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "3" || s.eq_ignore_ascii_case("tigerpaw") {
            Ok(Self::Tigerpaw)
        } else {
            Err(ConfigError::PsaType(s.to_owned()))
        }
    }
}

/// A username and password that validate for one standard PSA type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PsaCredential {
    /// The PSA type the credential is for.
    pub psa_type: PsaType,
    /// The PSA username.
    pub username: String,
    /// The PSA password.
    pub password: String,
}

impl FromStr for PsaCredential {
    type Err = ConfigError;

    /// Parses `TYPE:USER:PASSWORD`; the password may itself contain `:`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(3, ':');
        let (Some(psa_type), Some(username), Some(password)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(ConfigError::Credential(s.to_owned()));
        };
        if username.is_empty() || password.is_empty() {
            return Err(ConfigError::Credential(s.to_owned()));
        }
        Ok(Self {
            psa_type: psa_type.parse()?,
            username: username.to_owned(),
            password: password.to_owned(),
        })
    }
}

/// Parses a `--tenant` value, `ID=COMPANY`.
pub fn parse_tenant(s: &str) -> Result<(String, String), ConfigError> {
    match s.split_once('=') {
        Some((id, company)) if !id.trim().is_empty() && !company.trim().is_empty() => {
            Ok((id.trim().to_owned(), company.trim().to_owned()))
        }
        _ => Err(ConfigError::Tenant(s.to_owned())),
    }
}

/// Parses a tenants file: one `ID=COMPANY` a line; blank lines and `#` comments are skipped.
/// An error names the line at fault.
pub fn parse_tenants_file(text: &str) -> Result<Vec<(String, String)>, ConfigError> {
    text.lines()
        .enumerate()
        .map(|(n, line)| (n + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .map(|(n, line)| {
            parse_tenant(line).map_err(|_| ConfigError::Tenant(format!("line {n}: {line}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenants_file_has_one_tenant_a_line_and_names_a_bad_line() {
        let text = "# our clients\nacme=ACME Corp\n\n  globex = Globex Inc  \n";
        assert_eq!(
            parse_tenants_file(text).unwrap(),
            [
                ("acme".to_owned(), "ACME Corp".to_owned()),
                ("globex".to_owned(), "Globex Inc".to_owned())
            ]
        );
        let err = parse_tenants_file("acme=ACME\ninitech\n").unwrap_err();
        assert!(err.to_string().contains("line 2: initech"), "{err}");
    }

    #[test]
    fn tenant_splits_at_the_first_equals_sign() {
        assert_eq!(
            parse_tenant("acme=ACME = Corp").unwrap(),
            ("acme".to_owned(), "ACME = Corp".to_owned())
        );
        assert!(parse_tenant("acme").is_err());
        assert!(parse_tenant("=ACME").is_err());
        assert!(parse_tenant("acme=").is_err());
    }

    #[test]
    fn credential_keeps_colons_in_the_password() {
        let c: PsaCredential = "TigerPaw:tech@example.com:a:b".parse().unwrap();
        assert_eq!(c.psa_type, PsaType::Tigerpaw);
        assert_eq!(c.username, "tech@example.com");
        assert_eq!(c.password, "a:b");
        assert!("3:user".parse::<PsaCredential>().is_err());
        assert!("7:user:pw".parse::<PsaCredential>().is_err());
    }

    #[test]
    fn fault_rates_are_shares() {
        let mut f = Faults::default();
        assert!(f.validate().is_ok());
        f.fail_rate = 1.5;
        assert!(f.validate().is_err());
        f.fail_rate = 0.0;
        f.rate_limit = Some(0.0);
        assert!(f.validate().is_err());
    }
}
