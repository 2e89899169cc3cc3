//! Looking for a planted secret where it must not be: its plain text, and the simple encodings
//! that would still leak it (hex; base64 in both alphabets at each of the three alignments, so
//! also inside a longer encoded value such as an HTTP Basic `user:password`).

use std::path::{Path, PathBuf};

use base64::{
    Engine,
    engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD},
};
use psa_sim::{NcentralConfig, PsaCredential, PsaType, SimConfig};

use crate::Sim;

/// The secrets a test plants: the PSA service key, a mistyped one (often the right one with a
/// typo, so a secret too), and N-central's token, integration key and PSA password.
pub struct Secrets {
    /// The right PSA service key.
    pub psa_key: &'static str,
    /// A wrong PSA service key.
    pub wrong_key: &'static str,
    /// The N-central User-API token (JWT).
    pub jwt: &'static str,
    /// The N-central integration key.
    pub integration_key: &'static str,
    /// The standard PSA password N-central validates.
    pub password: &'static str,
}

impl Secrets {
    /// Each secret, named, to search for.
    pub fn planted(&self) -> [Planted; 5] {
        [
            Planted::new("the PSA service key", self.psa_key),
            Planted::new("the mistyped PSA service key", self.wrong_key),
            Planted::new("the N-central token", self.jwt),
            Planted::new("the N-central integration key", self.integration_key),
            Planted::new("the N-central password", self.password),
        ]
    }

    /// psa-sim with tenant `acme`, accepting the right key and N-central's secrets.
    pub fn sim(&self) -> Sim {
        Sim::with(
            SimConfig::new(self.psa_key)
                .tenant("acme", "ACME Corp")
                .ncentral(NcentralConfig {
                    jwt: self.jwt.into(),
                    integration_key: self.integration_key.into(),
                    psa_credentials: vec![PsaCredential {
                        psa_type: PsaType::Tigerpaw,
                        username: "tech".into(),
                        password: self.password.into(),
                    }],
                }),
        )
    }
}

/// A secret a test plants, with every byte string that would give it away.
pub struct Planted {
    name: &'static str,
    forms: Vec<(String, Vec<u8>)>,
}

impl Planted {
    /// `value` under `name` (e.g. "the PSA service key"); at least 12 bytes, so that its
    /// encodings are long enough never to match by chance.
    pub fn new(name: &'static str, value: &str) -> Self {
        assert!(value.len() >= 12, "{name}: plant a longer secret");
        let bytes = value.as_bytes();
        let mut forms = vec![
            ("plain".to_owned(), bytes.to_vec()),
            ("hex".to_owned(), hex(bytes).into_bytes()),
            ("HEX".to_owned(), hex(bytes).to_uppercase().into_bytes()),
        ];
        // Base64 turns each 3-byte group into 4 characters: whatever precedes the secret, the
        // groups made only of its bytes encode the same way for one of three starting offsets.
        for offset in 0..3 {
            let rest = &bytes[offset..];
            let whole = &rest[..rest.len() / 3 * 3];
            for (alphabet, engine) in [("base64", STANDARD_NO_PAD), ("base64url", URL_SAFE_NO_PAD)]
            {
                forms.push((
                    format!("{alphabet} at offset {offset}"),
                    engine.encode(whole).into_bytes(),
                ));
            }
        }
        Self { name, forms }
    }

    /// Each form of the secret found in `bytes`, e.g. `the PSA service key (plain) at byte 12`.
    pub fn found_in(&self, bytes: &[u8]) -> Vec<String> {
        self.forms
            .iter()
            .filter_map(|(form, needle)| {
                let at = bytes.windows(needle.len()).position(|w| w == needle)?;
                Some(format!("{} ({form}) at byte {at}", self.name))
            })
            .collect()
    }
}

/// Asserts that none of `planted` is in `bytes`, which came from `place`.
pub fn assert_absent(planted: &[Planted], place: &str, bytes: &[u8]) {
    let found: Vec<String> = planted.iter().flat_map(|p| p.found_in(bytes)).collect();
    assert!(
        found.is_empty(),
        "leaked into {place}: {}",
        found.join("; ")
    );
}

/// Every file under `dir`, in every subdirectory.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .flat_map(|e| {
            let p = e.path();
            if p.is_dir() { files(&p) } else { vec![p] }
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_found_plain_and_encoded_at_any_offset() {
        let p = Planted::new("the password", "pw-planted-e6a0b3d2");
        assert!(p.found_in(b"nothing here").is_empty());
        assert_eq!(
            p.found_in(b"x pw-planted-e6a0b3d2 y"),
            ["the password (plain) at byte 2"]
        );
        for prefix in ["", "t", "te", "tech:"] {
            let basic = format!(
                "Authorization: Basic {}",
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{prefix}pw-planted-e6a0b3d2"))
            );
            assert!(!p.found_in(basic.as_bytes()).is_empty(), "{basic}");
        }
        assert!(
            !p.found_in(hex(b"pw-planted-e6a0b3d2").as_bytes())
                .is_empty()
        );
    }
}
