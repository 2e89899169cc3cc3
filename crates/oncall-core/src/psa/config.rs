use std::net::IpAddr;

use reqwest::Url;

use crate::secrets::Secret;

/// Where The One PSA is and the service key to use.
#[derive(Debug, Clone)]
pub struct PsaConfig {
    /// The API's base URL, ending in `/` so that a path such as `/psa` is kept when the API's
    /// paths are joined to it.
    pub url: Url,
    /// `PSA_SERVICE_KEY`, sent as `X-Integration-Key`.
    pub key: Secret,
}

/// Why a PSA setting cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Not a URL at all.
    #[error("'{0}' is not a valid server URL (expected e.g. https://api.theonepsa.com)")]
    BadUrl(String),
    /// Plain HTTP to a host that is not this machine.
    #[error(
        "the URL '{0}' must use https:// (plain http is only allowed for localhost), \
         so keys and tokens never cross the network in clear"
    )]
    NotHttps(String),
    /// An empty service key.
    #[error("the PSA service key is empty")]
    EmptyKey,
}

impl PsaConfig {
    /// Checks a URL and key: HTTPS, or HTTP on a loopback host.
    pub fn new(url: &str, key: Secret) -> Result<Self, ConfigError> {
        let url = check_url(url)?;
        if key.expose().trim().is_empty() {
            return Err(ConfigError::EmptyKey);
        }
        Ok(Self { url, key })
    }
}

/// Checks a server URL (The One PSA's or N-central's): HTTPS, or HTTP on a loopback host.
/// Returns it as a base URL: its path kept and ending in `/`, so joining `api/...` stays under it.
pub fn check_url(url: &str) -> Result<Url, ConfigError> {
    let mut parsed = Url::parse(url.trim()).map_err(|_| ConfigError::BadUrl(url.to_owned()))?;
    if !parsed.path().ends_with('/') {
        parsed.set_path(&format!("{}/", parsed.path()));
    }
    let Some(host) = parsed.host_str() else {
        return Err(ConfigError::BadUrl(url.to_owned()));
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if loopback => Ok(parsed),
        "http" => Err(ConfigError::NotHttps(url.to_owned())),
        _ => Err(ConfigError::BadUrl(url.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str) -> Result<(), ConfigError> {
        PsaConfig::new(url, Secret::new("k")).map(|_| ())
    }

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        assert_eq!(check("https://api.theonepsa.com"), Ok(()));
        assert_eq!(check("http://127.0.0.1:8080"), Ok(()));
        assert_eq!(check("http://127.9.9.9"), Ok(()));
        assert_eq!(check("http://[::1]:80/"), Ok(()));
        assert_eq!(check("http://LOCALHOST:3000"), Ok(()));
        assert!(matches!(
            check("http://api.theonepsa.com"),
            Err(ConfigError::NotHttps(_))
        ));
        assert!(matches!(
            check("http://10.0.0.1"),
            Err(ConfigError::NotHttps(_))
        ));
        assert!(matches!(
            check("api.theonepsa.com"),
            Err(ConfigError::BadUrl(_))
        ));
        assert!(matches!(
            check("ftp://x.example"),
            Err(ConfigError::BadUrl(_))
        ));
    }

    #[test]
    fn a_base_path_is_kept() {
        let config = PsaConfig::new("https://host.example/psa", Secret::new("k")).unwrap();
        assert_eq!(config.url.as_str(), "https://host.example/psa/");
        let url = config.url.join("api/v1/health").unwrap();
        assert_eq!(url.as_str(), "https://host.example/psa/api/v1/health");
        let config = PsaConfig::new("https://host.example", Secret::new("k")).unwrap();
        assert_eq!(config.url.as_str(), "https://host.example/");
    }

    #[test]
    fn an_empty_key_is_refused() {
        assert_eq!(
            PsaConfig::new("https://x.example", Secret::new(" ")).unwrap_err(),
            ConfigError::EmptyKey
        );
    }
}
