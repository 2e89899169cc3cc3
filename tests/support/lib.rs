//! Helpers for the end-to-end tests: the real `oncall` binary on a real SQLite file, and
//! psa-sim over loopback.

pub mod delivered;
pub mod desktop;
pub mod leaks;
pub mod measure;
mod sim;
mod stub;
pub mod webdriver;

pub use sim::{KEY, Sim, every_fault};
pub use stub::{Answer, Stub};

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    sync::OnceLock,
};

use serde_json::Value;

/// The `oncall` binary, built once per test process so it is never stale; `ONCALL_BIN` names a
/// prebuilt one instead (the measurements use a release build).
pub fn oncall_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        std::env::var_os("ONCALL_BIN")
            .map_or_else(|| cargo_bin("oncall-cli", "oncall"), PathBuf::from)
    })
}

/// Builds `bin` of `package` with the cargo running these tests and returns its path.
pub fn cargo_bin(package: &str, bin: &str) -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--package", package, "--bin", bin])
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building {bin} failed");
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<test> → target/<profile>/<bin>
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target directory");
    dir.join(format!("{bin}{}", std::env::consts::EXE_SUFFIX))
}

/// A technician's environment: a fresh database file in a temporary directory, no PSA.
pub struct Desk {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

/// What a finished `oncall` run printed.
#[derive(Debug)]
pub struct Run {
    /// Exit status was 0.
    pub ok: bool,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Self {
        Self {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Standard output parsed as JSON; panics with both streams when the run failed.
    pub fn json(&self) -> Value {
        assert!(self.ok, "oncall failed: {}", self.stderr);
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

impl Default for Desk {
    fn default() -> Self {
        Self::new()
    }
}

impl Desk {
    /// A new, empty desk.
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            env: Vec::new(),
        }
    }

    /// Points every later run at `sim` with the right key.
    pub fn psa(self, sim: &Sim) -> Self {
        self.env("PSA_API_URL", &sim.url())
            .env("PSA_SERVICE_KEY", KEY)
    }

    /// Sets an environment variable for every later run.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// The variables set for every run besides the database, settings and profile.
    pub fn vars(&self) -> &[(String, String)] {
        &self.env
    }

    /// The database file.
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("oncall.sqlite3")
    }

    /// The temporary directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// This desk's own profile, so its keychain entries never meet another test's.
    pub fn profile(&self) -> String {
        let name = self.dir.path().file_name().expect("temp dir name");
        format!("test-{}", name.to_string_lossy().trim_start_matches('.'))
    }

    /// A command for `oncall ARGS` on this desk's database, settings directory and profile,
    /// without a PSA unless configured.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(oncall_bin());
        cmd.args(args)
            .env("ONCALL_DB", self.db())
            .env("ONCALL_CONFIG_DIR", self.dir.path().join("config"))
            .env("ONCALL_PROFILE", self.profile())
            .env_remove("PSA_API_URL")
            .env_remove("PSA_SERVICE_KEY")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Runs `oncall ARGS` with `input` on standard input (a pipe, not a terminal).
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("oncall starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        Run::from(child.wait_with_output().expect("oncall runs"))
    }

    /// Runs `oncall ARGS`.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().expect("oncall runs"))
    }

    /// Runs `oncall ARGS` with `vars` added to this desk's environment for this run only.
    pub fn run_with_env(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let mut cmd = self.command(args);
        cmd.envs(vars.iter().copied());
        Run::from(cmd.output().expect("oncall runs"))
    }

    /// Runs `oncall ARGS` on a terminal (`script` gives it a pseudo-terminal) and answers each
    /// prompt once it appears; returns everything the terminal showed.
    pub fn on_a_terminal(&self, args: &str, answers: &[(&str, &str)]) -> String {
        use std::io::Read;
        let mut cmd = Command::new("script");
        cmd.args([
            "-qec",
            &format!("{} {args}", oncall_bin().display()),
            "/dev/null",
        ]);
        for (k, v) in self.command(&[]).get_envs() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("script runs (util-linux)");
        let mut stdin = child.stdin.take().expect("stdin");
        let mut stdout = child.stdout.take().expect("stdout");
        let mut shown = Vec::new();
        for (prompt, answer) in answers {
            while !String::from_utf8_lossy(&shown).ends_with(prompt) {
                let mut byte = [0_u8; 1];
                assert_eq!(
                    stdout.read(&mut byte).expect("read"),
                    1,
                    "no prompt {prompt:?}"
                );
                shown.push(byte[0]);
            }
            // The prompt is printed just before echo is switched off: give it a moment.
            std::thread::sleep(std::time::Duration::from_millis(300));
            writeln!(stdin, "{answer}").expect("answer");
        }
        stdout.read_to_end(&mut shown).expect("read");
        assert!(
            child.wait().expect("wait").success(),
            "{}",
            String::from_utf8_lossy(&shown)
        );
        String::from_utf8_lossy(&shown).into_owned()
    }

    /// What the Secret Service holds for one of this desk's secrets (e.g. `psa.service_key`),
    /// read with `secret-tool` by the attributes keyring 3 writes (`service`, `username` =
    /// `<profile>:<secret>`, `target`).
    pub fn keychain_item(&self, secret: &str) -> Option<String> {
        let out = Command::new("secret-tool")
            .args(["lookup", "service", "oncall-desk", "username"])
            .arg(format!("{}:{secret}", self.profile()))
            .args(["target", "default"])
            .output()
            .expect("secret-tool runs (apt-get install libsecret-tools)");
        out.status
            .success()
            .then(|| String::from_utf8(out.stdout).expect("utf-8"))
    }

    /// Runs `oncall ARGS --json` and parses its output; panics if it failed.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        self.run(&args).json()
    }

    /// Adds tenant `id` with org `org-<id>` and company `<ID> Corp`.
    pub fn tenant(&self, id: &str) {
        let company = format!("{} Corp", id.to_uppercase());
        let org = format!("org-{id}");
        self.json(&["tenant", "add", id, "--org-id", &org, "--name", &company]);
    }

    /// Raises an incident and returns its id.
    pub fn incident(&self, tenant: &str, title: &str, severity: &str) -> String {
        let v = self.json(&[
            "incident",
            "new",
            "--tenant",
            tenant,
            "--title",
            title,
            "--severity",
            severity,
        ]);
        v["id"].to_string()
    }

    /// The kinds of the incident's outbox items, in order.
    pub fn outbox_kinds(&self, id: &str) -> Vec<String> {
        self.json(&["incident", "show", id])["outbox"]
            .as_array()
            .expect("outbox array")
            .iter()
            .map(|o| o["kind"].as_str().expect("kind").to_owned())
            .collect()
    }
}

/// A small pseudo-random source (xorshift64) seeded from the environment variable `name`, or
/// from the clock when it is unset; returns the seed (print it, so a run can be replayed).
pub fn rng_from_env(name: &str) -> (u64, impl FnMut() -> u64) {
    let seed = std::env::var(name).map_or_else(
        |_| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        },
        |v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name}={v}: not a number"))
        },
    );
    let mut state = seed.max(1);
    (seed, move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    })
}

/// A whole number from the environment variable `name`, or `default` when it is unset.
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).map_or(default, |v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name}={v}: not a number"))
    })
}
