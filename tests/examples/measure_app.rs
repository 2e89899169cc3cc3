//! The desktop app's figures against a hello-world Tauri 2 app (bench/hello-tauri), both release
//! builds, measured in one run on one Xvfb display: cold start to the first painted list, idle
//! memory (PSS of the process and its WebKit children), a click's round trip, and animation
//! frames while scrolling the demo's incidents. Prints the raw samples as one JSON object;
//! scripts/measure.d/app runs it under `dbus-run-session` and writes the figures into
//! docs/performance.md.
//!
//! Usage: measure_app APP HELLO [RUNS] [INCIDENTS]

use std::{
    io::{BufRead, BufReader},
    os::unix::process::CommandExt,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use oncall_e2e::{
    desktop::{Desktop, SINGLE_INSTANCE, free_port, program, wait_bus_name},
    webdriver::{WebDriver, wait_for},
};
use serde_json::{Value, json};

/// What either app is started with, and how its page is driven.
struct Subject {
    exe: PathBuf,
    env: Vec<(String, String)>,
    /// The app holds a single-instance name on the session bus until it is gone.
    single_instance: bool,
    /// Selector of the list's rows, and the test id of the detail a click on a row fills in.
    row: &'static str,
    detail: &'static str,
}

/// Variables of the caller's environment that would point the app at another desk or PSA.
const FOREIGN: [&str; 6] = [
    "PSA_API_URL",
    "PSA_SERVICE_KEY",
    "ONCALL_DB",
    "ONCALL_PROFILE",
    "ONCALL_CONFIG_DIR",
    "ONCALL_LOG",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [app, hello] = [0, 1].map(|i| PathBuf::from(args.get(i).expect("usage: APP HELLO")));
    let runs: usize = args.get(2).map_or(7, |r| r.parse().expect("RUNS"));
    let incidents: usize = args
        .get(3)
        .map_or(100_000, |n| n.parse().expect("INCIDENTS"));

    let desktop = Desktop::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let home = |name: &str| dir.path().join(name).display().to_string();
    let display = ("DISPLAY".to_owned(), desktop.display().to_owned());
    let app = Subject {
        exe: app,
        env: vec![
            display.clone(),
            ("XDG_DATA_HOME".into(), home("app-data")),
            ("XDG_CONFIG_HOME".into(), home("app-config")),
            ("ONCALL_DEMO".into(), "1".into()),
            ("ONCALL_DEMO_INCIDENTS".into(), incidents.to_string()),
            ("ONCALL_LOG".into(), "oncall_desk::paint=info".into()),
        ],
        single_instance: true,
        row: "[data-testid^=\"incident-row-\"]",
        detail: "detail-title",
    };
    let hello = Subject {
        exe: hello,
        env: vec![
            display,
            ("XDG_DATA_HOME".into(), home("hello-data")),
            ("XDG_CONFIG_HOME".into(), home("hello-config")),
        ],
        single_instance: false,
        row: "[data-testid^=\"row-\"]",
        detail: "detail-title",
    };

    // The first start of the app seeds its demo database; both then start from a warm disk cache.
    eprintln!("measure_app: first starts (the app seeds {incidents} demo incidents)");
    for s in [&app, &hello] {
        drop(Running::launch(s, Duration::from_secs(900)));
    }

    let (mut start, mut pss) = (
        json!({"app": [], "hello": []}),
        json!({"app": [], "hello": []}),
    );
    for run in 1..=runs {
        for (name, s) in [("app", &app), ("hello", &hello)] {
            let running = Running::launch(s, Duration::from_secs(60));
            let kb = running.settled_pss_kb();
            eprintln!(
                "measure_app: run {run}/{runs} {name}: start {:.1} ms, PSS {kb} kB",
                running.start_ms()
            );
            push(&mut start[name], json!(running.start_ms()));
            push(&mut pss[name], json!(kb));
        }
    }

    let mut click = json!({});
    let mut scroll = json!({});
    let mut count = Value::Null;
    for (name, s) in [("app", &app), ("hello", &hello)] {
        let driven = Driven::start(s);
        driven.wait_rows(2);
        // The frames of the page standing still: what this display gives without scrolling.
        scroll[format!("{name}-idle")] = driven.frames("idle", 3_000);
        if name == "app" {
            count = json!(driven.wd.text("incident-count"));
            scroll["wheel"] = driven.frames("wheel", 5_000);
            scroll["drag"] = driven.frames("drag", 3_000);
            driven.scroll_to_top();
            driven.wait_rows(5);
        }
        click[name] = driven.clicks(20);
        eprintln!("measure_app: {name} driven");
    }

    let out = json!({
        "runs": runs,
        "incidents": count,
        "start_ms": start,
        "pss_kb": pss,
        "click_ms": click,
        "scroll_frame_ms": scroll,
    });
    println!("{out}");
}

fn push(list: &mut Value, v: Value) {
    list.as_array_mut().expect("a list").push(v);
}

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs_f64()
        * 1000.0
}

/// One start of an app, from its spawn to its first painted list; killed when dropped.
struct Running {
    child: Child,
    spawned_ms: f64,
    painted_ms: f64,
}

impl Running {
    /// Starts `s` and waits (at most `within`) for the line its page logs on its first paint.
    fn launch(s: &Subject, within: Duration) -> Self {
        if s.single_instance {
            wait_bus_name(SINGLE_INSTANCE, false, Duration::from_secs(10));
        }
        let mut cmd = Command::new(&s.exe);
        for var in FOREIGN {
            cmd.env_remove(var);
        }
        cmd.envs(s.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0);
        let spawned_ms = epoch_ms();
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", s.exe.display()));
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().expect("stderr");
        // Reads to the end, so that the app never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut running = Self {
            child,
            spawned_ms,
            painted_ms: f64::NAN,
        };
        let deadline = Instant::now() + within;
        let mut seen = Vec::new();
        while running.painted_ms.is_nan() {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(at) = painted_at(&line) {
                        running.painted_ms = at;
                    }
                    seen.push(line);
                }
                Err(_) => panic!(
                    "{} painted no list within {within:?}; it wrote:\n{}",
                    s.exe.display(),
                    seen.join("\n")
                ),
            }
        }
        running
    }

    fn start_ms(&self) -> f64 {
        self.painted_ms - self.spawned_ms
    }

    /// The PSS of the process and its descendants once it holds still: after 3 s idle, read
    /// every second until two reads are within 2% (at most 20 reads).
    fn settled_pss_kb(&self) -> u64 {
        std::thread::sleep(Duration::from_secs(3));
        let mut last = pss_kb(self.child.id());
        for _ in 0..20 {
            std::thread::sleep(Duration::from_secs(1));
            let now = pss_kb(self.child.id());
            if now.abs_diff(last) * 50 <= last {
                return now;
            }
            last = now;
        }
        last
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}

/// The epoch milliseconds of a `painted mark=list-painted at_ms=...` line.
fn painted_at(line: &str) -> Option<f64> {
    let rest = line.split("painted mark=list-painted at_ms=").nth(1)?;
    let digits: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    digits.parse().ok()
}

/// The sum of `Pss:` over `pid` and every process descending from it, in kB.
fn pss_kb(pid: u32) -> u64 {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|p| {
            let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).ok()?;
            // The field after the command (which may hold spaces) is the state, then the parent.
            let ppid = stat
                .rsplit(')')
                .next()?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some((p, ppid))
        })
        .collect();
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    tree.iter()
        .filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/smaps_rollup")).ok())
        .flat_map(|text| {
            text.lines()
                .filter_map(|l| l.strip_prefix("Pss:"))
                .filter_map(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .collect::<Vec<_>>()
        })
        .sum()
}

/// An app driven through tauri-driver, its page measuring itself.
struct Driven<'a> {
    s: &'a Subject,
    wd: WebDriver,
    driver: Child,
}

impl<'a> Driven<'a> {
    fn start(s: &'a Subject) -> Self {
        if s.single_instance {
            wait_bus_name(SINGLE_INSTANCE, false, Duration::from_secs(10));
        }
        let (port, native) = (free_port(), free_port());
        let mut cmd = Command::new(program("tauri-driver"));
        for var in FOREIGN {
            cmd.env_remove(var);
        }
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .envs(s.env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
        let driver = cmd.spawn().expect("tauri-driver starts");
        let wd = WebDriver::start(&format!("http://127.0.0.1:{port}"), &s.exe);
        Self { s, wd, driver }
    }

    fn wait_rows(&self, n: usize) {
        self.wd
            .wait_until("rows in the list", Duration::from_secs(30), || {
                self.wd.find_all(self.s.row).len() >= n
            });
    }

    /// Animation frame intervals for `ms` while the list scrolls: `wheel`, a steady fling (10
    /// rows a frame); `drag`, the scroll bar dragged to a random place every frame; `idle`, not.
    fn frames(&self, mode: &str, ms: u32) -> Value {
        self.wd.script(
            "const [ms, mode] = arguments;
             const el = document.querySelector('[role=\"listbox\"][aria-label=\"Incidents\"]');
             const frames = [];
             let last = null, first = null;
             window.__frames = null;
             function tick(t) {
               if (last !== null) frames.push(t - last);
               if (first === null) first = t;
               last = t;
               if (mode === 'drag') el.scrollTop = Math.random() * (el.scrollHeight - el.clientHeight);
               if (mode === 'wheel') el.scrollTop += 480;
               if (t - first < ms) requestAnimationFrame(tick); else window.__frames = frames;
             }
             requestAnimationFrame(tick);",
            json!([ms, mode]),
        );
        wait_for("the scroll to end", Duration::from_secs(60), &mut || {
            let v = self.wd.script("return window.__frames;", json!([]));
            (!v.is_null()).then_some(v)
        })
    }

    fn scroll_to_top(&self) {
        self.wd.script(
            "document.querySelector('[role=\"listbox\"][aria-label=\"Incidents\"]').scrollTop = 0;",
            json!([]),
        );
    }

    /// `n` clicks on rows, each on another row than the one before: per click, the time from
    /// the click event to the animation frame after the detail changed, as the page sees it.
    fn clicks(&self, n: usize) -> Value {
        self.wd.script(
            "const sel = `[data-testid=\"${arguments[0]}\"]`;
             window.__clicks = [];
             document.addEventListener('click', () => {
               const t0 = performance.now();
               const text = () => document.querySelector(sel)?.textContent ?? null;
               const before = text();
               const seen = new MutationObserver(() => {
                 const now = text();
                 if (now === null || now === before) return;
                 seen.disconnect();
                 requestAnimationFrame(() => window.__clicks.push(performance.now() - t0));
               });
               seen.observe(document.body, { subtree: true, childList: true, characterData: true });
             }, true);",
            json!([self.s.detail]),
        );
        // After a scroll the rows on screen may still be placeholders for a moment.
        let rows: Vec<String> = wait_for("rows to click", Duration::from_secs(30), &mut || {
            let ids = self.wd.script(
                "return [...document.querySelectorAll(arguments[0])].slice(0, 5)\
                 .map(e => e.dataset.testid);",
                json!([self.s.row]),
            );
            let ids: Vec<String> = ids
                .as_array()
                .expect("row ids")
                .iter()
                .map(|v| v.as_str().expect("id").to_owned())
                .collect();
            (!ids.is_empty()).then_some(ids)
        });
        for i in 0..n {
            self.wd.click(&rows[i % rows.len()]);
            wait_for(
                "the detail after a click",
                Duration::from_secs(10),
                &mut || {
                    let v = self.wd.script("return window.__clicks.length;", json!([]));
                    (v.as_u64() == Some(i as u64 + 1)).then_some(())
                },
            );
        }
        self.wd.script("return window.__clicks;", json!([]))
    }
}

impl Drop for Driven<'_> {
    fn drop(&mut self) {
        self.wd.quit();
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .status();
        let _ = self.driver.wait();
    }
}
