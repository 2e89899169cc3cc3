//! `oncall login psa|ncentral` and `oncall logout psa|ncentral`: credentials into and out of the
//! OS keychain. Secrets come from a hidden prompt or standard input, never from arguments
//! (which other users can read in the process list and shells keep in their history).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result, bail};
use oncall_core::secrets::{Keychain, NcentralLogin, Secret, SecretKey};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{config, stdin};
use crate::{cli::Credential, output::Out};

/// The most standard input may hold: far more than any key or login.
const STDIN_LIMIT: usize = 64 * 1024;
/// The fields `oncall login ncentral` reads from standard input.
const LOGIN_FIELDS: [&str; 4] = ["jwt", "integration_key", "username", "password"];

/// What login and logout print with `--json`.
#[derive(Serialize)]
struct Outcome {
    credential: &'static str,
    profile: String,
    /// For login: stored. For logout: whether something was there to remove.
    done: bool,
}

pub fn login(out: &Out, what: Credential) -> Result<()> {
    let keychain = keychain()?;
    let (name, text) = match what {
        Credential::Psa => {
            let key = read_secret("The One PSA service key: ")?;
            if key.expose().trim().is_empty() {
                bail!("the PSA service key is empty: nothing was stored");
            }
            keychain
                .set(SecretKey::PsaServiceKey, &Secret::new(key.expose().trim()))
                .context("cannot store the PSA service key")?;
            let mut text = format!(
                "Stored The One PSA service key in the OS keychain (profile {}). Check it with \
                 `oncall wizard`.",
                keychain.profile()
            );
            if std::env::var("PSA_SERVICE_KEY").is_ok_and(|v| !v.trim().is_empty()) {
                text.push_str(
                    "\nNote: PSA_SERVICE_KEY is set in the environment and takes precedence.",
                );
            }
            ("psa", text)
        }
        Credential::Ncentral => {
            let login = read_ncentral_login()?;
            login
                .store(&keychain)
                .context("cannot store the N-central login")?;
            let text = format!(
                "Stored the N-central login of {} in the OS keychain (profile {}). Check it with \
                 `oncall wizard`.",
                login.username,
                keychain.profile()
            );
            ("ncentral", text)
        }
    };
    let outcome = Outcome {
        credential: name,
        profile: keychain.profile().to_string(),
        done: true,
    };
    out.print(&outcome, || text)
}

pub fn logout(out: &Out, what: Credential) -> Result<()> {
    let keychain = keychain()?;
    let (name, what_text, removed) = match what {
        Credential::Psa => (
            "psa",
            "The One PSA service key",
            keychain
                .delete(SecretKey::PsaServiceKey)
                .context("cannot remove the PSA service key")?,
        ),
        Credential::Ncentral => (
            "ncentral",
            "the N-central login",
            NcentralLogin::delete(&keychain).context("cannot remove the N-central login")?,
        ),
    };
    let outcome = Outcome {
        credential: name,
        profile: keychain.profile().to_string(),
        done: removed,
    };
    out.print(&outcome, || {
        let profile = &outcome.profile;
        if removed {
            format!("Removed {what_text} from the OS keychain (profile {profile}).")
        } else {
            format!(
                "Nothing to remove: {what_text} was not in the OS keychain (profile {profile})."
            )
        }
    })
}

fn keychain() -> Result<Keychain> {
    let (profile, _) = config::location()?;
    Ok(Keychain::new(profile))
}

/// A secret from a hidden prompt when standard input is a terminal, else all of standard input
/// (for scripts: `pass show psa | oncall login psa`).
fn read_secret(prompt: &str) -> Result<Secret> {
    if std::io::stdin().is_terminal() {
        let value = rpassword::prompt_password(prompt).context("cannot read from the terminal")?;
        Ok(Secret::new(value))
    } else {
        Ok(Secret::new(read_stdin()?))
    }
}

fn read_stdin() -> Result<String> {
    let Some(bytes) = stdin::read_capped(STDIN_LIMIT).context("cannot read standard input")? else {
        bail!("standard input holds more than {STDIN_LIMIT} bytes: nothing was stored");
    };
    // The error names no byte: they are a secret.
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("standard input is not valid UTF-8"))
}

/// The N-central login from prompts, or from a JSON object on standard input.
fn read_ncentral_login() -> Result<NcentralLogin> {
    let [jwt, integration_key, username, password] = if std::io::stdin().is_terminal() {
        let jwt = read_secret("N-central User-API token (JWT): ")?;
        let key = read_secret("N-central integration key: ")?;
        let user = read_line("PSA username: ")?;
        let password = read_secret("PSA password: ")?;
        [
            jwt.expose().to_owned(),
            key.expose().to_owned(),
            user,
            password.expose().to_owned(),
        ]
    } else {
        login_fields(&read_stdin()?)?
    };
    Ok(NcentralLogin::new(
        &jwt,
        &integration_key,
        &username,
        &password,
    )?)
}

fn read_line(prompt: &str) -> Result<String> {
    let mut err = std::io::stderr();
    write!(err, "{prompt}")?;
    err.flush()?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read from the terminal")?;
    Ok(line.trim().to_owned())
}

/// Reads `{"jwt","integration_key","username","password"}`. Errors name fields and positions
/// only, never a value: serde's own messages can quote the value they choke on.
fn login_fields(text: &str) -> Result<[String; 4]> {
    let expected = "a JSON object {\"jwt\": .., \"integration_key\": .., \"username\": .., \
                    \"password\": ..} on standard input";
    let object: Map<String, Value> = serde_json::from_str(text).map_err(|e| {
        anyhow::anyhow!(
            "expected {expected} ({:?} error at line {} column {}): nothing was stored",
            e.classify(),
            e.line(),
            e.column()
        )
    })?;
    if let Some(unknown) = object.keys().find(|k| !LOGIN_FIELDS.contains(&k.as_str())) {
        bail!("unknown field '{unknown}' in {expected}: nothing was stored");
    }
    let field = |name: &str| match object.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => bail!("'{name}' must be a string in {expected}: nothing was stored"),
        None => bail!("'{name}' is missing from {expected}: nothing was stored"),
    };
    Ok([
        field("jwt")?,
        field("integration_key")?,
        field("username")?,
        field("password")?,
    ])
}
