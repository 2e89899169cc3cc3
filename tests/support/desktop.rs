//! The desktop app under test: an X server (Xvfb), a notification daemon (dunst), a tray host
//! (a tiny StatusNotifierWatcher), and the release app driven through tauri-driver, each test
//! with its own. Everything started here is killed when it is dropped.
//!
//! The session bus and the unlocked gnome-keyring come from outside (scripts/test runs the
//! test binary under `dbus-run-session`). Tests run only with `ONCALL_DESKTOP_E2E` set; then a
//! missing piece fails the test rather than skipping it.

use std::{
    io::{BufRead, BufReader, Read},
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, ChildStdout, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use crate::{
    Desk,
    webdriver::{WebDriver, wait_for},
};

/// The D-Bus name the app's single-instance lock holds while it runs.
pub const SINGLE_INSTANCE: &str = "dev.oncall-desk.app.SingleInstance";

/// Whether the desktop tests run here; says why not when they do not.
pub fn enabled() -> bool {
    if std::env::var_os("ONCALL_DESKTOP_E2E").is_some() {
        return true;
    }
    eprintln!(
        "skipped: the desktop tests run with ONCALL_DESKTOP_E2E=1 (scripts/test sets it and \
         provides Xvfb, D-Bus, gnome-keyring, dunst and tauri-driver)"
    );
    false
}

/// The release app the tests drive: `ONCALL_DESK_APP`, or target/release/oncall-desk.
pub fn app_path() -> PathBuf {
    let path = std::env::var_os("ONCALL_DESK_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/release/oncall-desk"));
    assert!(
        path.is_file(),
        "no app at {}: build it with `npm --prefix ui ci && npm --prefix ui run build && cargo \
         build --release --locked -p oncall-desk --features custom-protocol`",
        path.display()
    );
    path
}

/// The repository's root directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_path_buf()
}

/// Finds `program` on PATH or in cargo's bin directory.
pub fn program(name: &str) -> PathBuf {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .map(|c| c.join("bin"));
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(cargo_bin)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} is not installed (scripts/test installs it)"))
}

/// A free loopback port (free when asked; the caller binds it right away).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A process started by a test, killed with its whole process group when dropped.
struct Owned(Child);

impl Owned {
    fn spawn(cmd: &mut Command) -> Self {
        let program = cmd.get_program().to_string_lossy().into_owned();
        // Its own group, so that whatever it starts is killed with it.
        let child = cmd
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        Self(child)
    }

    fn kill(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.0.id())])
                .status();
            let _ = self.0.wait();
        }
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Lines a child writes to stdout, collected as they come.
#[derive(Clone, Default)]
pub struct Lines(Arc<Mutex<Vec<String>>>);

impl Lines {
    fn follow(out: ChildStdout) -> Self {
        let lines = Self::default();
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                sink.0.lock().expect("lines").push(line);
            }
        });
        lines
    }

    /// Every line so far.
    pub fn all(&self) -> Vec<String> {
        self.0.lock().expect("lines").clone()
    }
}

/// Whether a name is owned on the session bus now.
fn bus_name_owned(name: &str) -> bool {
    let out = Command::new("gdbus")
        .args([
            "call",
            "--session",
            "--dest",
            "org.freedesktop.DBus",
            "--object-path",
            "/org/freedesktop/DBus",
            "--method",
            "org.freedesktop.DBus.NameHasOwner",
            name,
        ])
        .output()
        .expect("gdbus runs (apt-get install libglib2.0-bin)");
    assert!(
        out.status.success(),
        "no session bus: run the desktop tests under dbus-run-session ({})",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).contains("true")
}

/// Waits until `name` is owned (or not) on the session bus.
pub fn wait_bus_name(name: &str, owned: bool, within: Duration) {
    let what = format!(
        "{name} {} on the session bus",
        if owned { "owned" } else { "released" }
    );
    wait_for(&what, within, &mut || {
        (bus_name_owned(name) == owned).then_some(())
    });
}

/// A window of another program, open until dropped.
pub struct OtherWindow {
    _process: Owned,
}

/// The desktop a test runs on: its own X display, and optionally notifications and a tray host.
pub struct Desktop {
    dir: tempfile::TempDir,
    display: String,
    _xvfb: Owned,
    dunst: Option<Owned>,
    tray: Option<(Owned, Lines)>,
}

impl Desktop {
    /// Starts Xvfb on a free display and waits until it accepts clients.
    pub fn start() -> Self {
        assert!(
            std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
            "no session bus: run the desktop tests under dbus-run-session (scripts/test does)"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        // -displayfd: Xvfb picks a free display and writes its number once it accepts clients.
        let mut xvfb = Owned::spawn(
            Command::new(program("Xvfb"))
                .args([
                    "-displayfd",
                    "1",
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
        );
        let mut number = String::new();
        BufReader::new(xvfb.0.stdout.take().expect("Xvfb stdout"))
            .read_line(&mut number)
            .expect("Xvfb's display number");
        let number = number.trim();
        assert!(!number.is_empty(), "Xvfb did not start");
        Self {
            dir,
            display: format!(":{number}"),
            _xvfb: xvfb,
            dunst: None,
            tray: None,
        }
    }

    /// The X display, e.g. `:1`.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// Starts dunst, a real notification daemon, printing each notification to a file.
    pub fn with_notifications(mut self) -> Self {
        assert!(
            !bus_name_owned("org.freedesktop.Notifications"),
            "another notification daemon runs on this session bus"
        );
        let log = std::fs::File::create(self.dir.path().join("dunst.log")).expect("dunst log");
        self.dunst = Some(Owned::spawn(
            Command::new(program("dunst"))
                .arg("-print")
                .env("DISPLAY", &self.display)
                .stdout(log)
                .stderr(Stdio::null()),
        ));
        wait_bus_name(
            "org.freedesktop.Notifications",
            true,
            Duration::from_secs(10),
        );
        self
    }

    /// What dunst printed so far: each notification's summary and body.
    pub fn notifications(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dunst.log")).unwrap_or_default()
    }

    /// Starts a tray host (StatusNotifierWatcher) the app's tray icon registers with.
    pub fn with_tray(mut self) -> Self {
        let script = workspace_root().join("tests/support/sni_watcher.py");
        let mut watcher = Owned::spawn(
            Command::new("/usr/bin/python3")
                .arg(script)
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit()),
        );
        let lines = Lines::follow(watcher.0.stdout.take().expect("watcher stdout"));
        wait_for(
            "the tray host to start",
            Duration::from_secs(10),
            &mut || lines.all().iter().any(|l| l == "ready").then_some(()),
        );
        self.tray = Some((watcher, lines));
        self
    }

    /// The tray item's title (its label), once the app's icon has registered.
    pub fn tray_title(&self) -> Option<String> {
        let (_, lines) = self.tray.as_ref().expect("started with_tray");
        let item = lines
            .all()
            .into_iter()
            .rev()
            .find(|l| l.starts_with("item "))?;
        let mut parts = item.split(' ').skip(1);
        let (name, path) = (parts.next()?, parts.next()?);
        let out = Command::new("gdbus")
            .args(["call", "--session", "--dest", name, "--object-path", path])
            .args(["--method", "org.freedesktop.DBus.Properties.Get"])
            .args(["org.kde.StatusNotifierItem", "XAyatanaLabel"])
            .output()
            .ok()?;
        // gdbus prints `(<'3 waiting'>,)`.
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let start = text.find('\'')? + 1;
        let end = text.rfind('\'')?;
        Some(text[start..end.max(start)].to_owned())
    }

    /// Opens another window (xmessage) and gives it the keyboard focus; it closes when dropped.
    pub fn focus_other_window(&self) -> OtherWindow {
        let title = format!("focus-thief-{}", std::process::id());
        let thief = Owned::spawn(
            Command::new(program("xmessage"))
                .args(["-name", &title, "-title", &title, "somewhere else"])
                .env("DISPLAY", &self.display)
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        let window = wait_for("the other window", Duration::from_secs(10), &mut || {
            let out = Command::new(program("xdotool"))
                .args(["search", "--onlyvisible", "--name", &title])
                .env("DISPLAY", &self.display)
                .output()
                .ok()?;
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.lines().next().map(str::to_owned)
        });
        // No window manager here: xdotool sets the X input focus directly.
        let status = Command::new(program("xdotool"))
            .args(["windowfocus", "--sync", &window])
            .env("DISPLAY", &self.display)
            .status()
            .expect("xdotool runs");
        assert!(status.success(), "xdotool windowfocus {window}");
        OtherWindow { _process: thief }
    }

    /// Starts the app on `desk` (its database, settings, profile and PSA variables).
    pub fn launch(&self, desk: &Desk) -> App {
        self.launch_with(desk, &[])
    }

    /// Starts the app on `desk` with `extra` environment variables.
    pub fn launch_with(&self, desk: &Desk, extra: &[(&str, &str)]) -> App {
        self.launch_until(desk, extra, READY)
    }

    /// Starts the app on `desk` with `extra` environment variables, ready once the element
    /// with test id `ready` shows (an app that cannot start shows only why).
    pub fn launch_until(&self, desk: &Desk, extra: &[(&str, &str)], ready: &str) -> App {
        let home = desk.dir();
        let mut env: Vec<(String, String)> = vec![
            ("DISPLAY".into(), self.display.clone()),
            ("ONCALL_DB".into(), desk.db().display().to_string()),
            (
                "ONCALL_CONFIG_DIR".into(),
                home.join("config").display().to_string(),
            ),
            ("ONCALL_PROFILE".into(), desk.profile()),
            (
                "XDG_CONFIG_HOME".into(),
                home.join("xdg").display().to_string(),
            ),
            (
                "XDG_DATA_HOME".into(),
                home.join("data").display().to_string(),
            ),
            ("ONCALL_LOG".into(), "info".into()),
        ];
        env.extend(desk.vars().iter().cloned());
        env.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        App::start(env, home.join("app-stderr.log"), ready)
    }
}

/// The app is ready once the UI has asked it for its status.
const READY: &str = "status-waiting";

/// A script that runs the app with its stderr appended to `log`: WebKitWebDriver does not pass
/// the app's stderr on. It `exec`s, so the app's process is still `oncall-desk`.
fn log_wrapper(log: &Path) -> PathBuf {
    let script = log.with_extension("sh");
    let text = format!(
        "#!/bin/sh\nexec '{}' \"$@\" 2>>'{}'\n",
        app_path().display(),
        log.display()
    );
    std::fs::write(&script, text).expect("write the app's launcher");
    let status = Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .expect("chmod runs");
    assert!(status.success(), "chmod +x {}", script.display());
    script
}

/// The app, started through its own tauri-driver, with a WebDriver session on its window.
pub struct App {
    /// The WebDriver session on the app's window.
    pub wd: WebDriver,
    driver: Owned,
    env: Vec<(String, String)>,
    log: PathBuf,
}

impl App {
    fn start(env: Vec<(String, String)>, log: PathBuf, ready: &str) -> Self {
        let application = log_wrapper(&log);
        // A previous app still holding the single-instance lock would take this launch over.
        wait_bus_name(SINGLE_INSTANCE, false, Duration::from_secs(10));
        let (port, native) = (free_port(), free_port());
        let mut cmd = Command::new(program("tauri-driver"));
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env_remove("PSA_API_URL")
        .env_remove("PSA_SERVICE_KEY")
        .env_remove("ONCALL_DEMO")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        let driver = Owned::spawn(&mut cmd);
        let wd = WebDriver::start(&format!("http://127.0.0.1:{port}"), &application);
        let app = Self {
            wd,
            driver,
            env,
            log,
        };
        app.wd.el(ready);
        app
    }

    /// The app's own process id (not the driver's, nor WebKit's helpers).
    pub fn pid(&self) -> Option<u32> {
        let db = self.var("ONCALL_DB");
        let mine = format!("ONCALL_DB={db}");
        std::fs::read_dir("/proc")
            .ok()?
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .find(|pid| {
                let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
                let mut environ = Vec::new();
                let read = std::fs::File::open(format!("/proc/{pid}/environ"))
                    .and_then(|mut f| f.read_to_end(&mut environ));
                exe.file_name().is_some_and(|n| n == "oncall-desk")
                    && read.is_ok()
                    && environ.split(|b| *b == 0).any(|v| v == mine.as_bytes())
            })
    }

    /// A variable of the app's environment.
    pub fn var(&self, key: &str) -> &str {
        self.env
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// The app's environment.
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// What the app (and its driver) wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills the app with SIGKILL, as a crash or a power cut would, and waits until it is gone.
    pub fn kill_hard(&self) {
        let pid = self.pid().expect("the app is running");
        let status = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -KILL {pid} failed");
        wait_for(
            "the killed app to be gone",
            Duration::from_secs(10),
            &mut || self.pid().is_none().then_some(()),
        );
    }

    /// Saves what the window showed, its markup and the app's log under
    /// target/desktop-failures/, named after the failing test.
    fn save_failure(&self) {
        let name = std::thread::current()
            .name()
            .unwrap_or("desktop")
            .replace("::", "-");
        let dir = workspace_root().join("target/desktop-failures");
        let _ = self.wd.try_screenshot(&dir.join(format!("{name}.png")));
        if let Some(html) = self.wd.try_html() {
            let _ = std::fs::write(dir.join(format!("{name}.html")), html);
        }
        let log = self.log();
        let _ = std::fs::write(dir.join(format!("{name}.log")), &log);
        // CI keeps only what the run printed: the log's end goes there too.
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(60)..].join("\n");
        eprintln!(
            "desktop: the window, its markup and the app's log are in {}; the log ends:\n{tail}",
            dir.display()
        );
    }

    /// Ends this app (and its driver) and starts it again with the same environment.
    pub fn restart(self) -> Self {
        let (env, log) = (self.env.clone(), self.log.clone());
        drop(self);
        Self::start(env, log, READY)
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.save_failure();
        }
        self.wd.quit();
        self.driver.kill();
        // The driver normally closes the app; make sure, and that its lock is released.
        if let Some(pid) = self.pid() {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while (self.pid().is_some() || bus_name_owned(SINGLE_INSTANCE)) && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
