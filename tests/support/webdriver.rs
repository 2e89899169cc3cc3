//! A small W3C WebDriver client over reqwest, enough to drive the app through tauri-driver:
//! sessions, elements by `data-testid`, clicks, keys, text, attributes, scripts, screenshots,
//! and polling with a deadline (never a fixed sleep).

use std::time::{Duration, Instant};

use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};

/// The key W3C WebDriver gives an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long a wait lasts unless a test says otherwise.
pub const WAIT: Duration = Duration::from_secs(10);

/// An element on the page, by its WebDriver reference.
#[derive(Clone, Debug)]
pub struct Element(String);

/// A WebDriver error answer: the W3C `error` code and message.
#[derive(Debug)]
pub struct WdError {
    /// The W3C error code, e.g. `no such element`; `connection` for a transport error.
    pub error: String,
    /// The driver's message.
    pub message: String,
}

/// One WebDriver session on the app.
pub struct WebDriver {
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
    base: String,
    session: Option<String>,
}

/// The CSS selector for `data-testid="<id>"`.
pub fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

impl WebDriver {
    /// Waits until the driver at `base` answers `/status`, then opens a session on the app at
    /// `application`, retrying the connection errors a slow app start causes.
    pub fn start(base: &str, application: &std::path::Path) -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let mut wd = Self {
            rt,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("http client"),
            base: base.trim_end_matches('/').to_owned(),
            session: None,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match wd.raw("GET", "/status", None) {
                Ok(_) => break,
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Err(e) => panic!("tauri-driver did not answer at {base}: {e:?}"),
            }
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": application},
        }}});
        let deadline = Instant::now() + Duration::from_secs(30);
        let session = loop {
            match wd.raw("POST", "/session", Some(caps.clone())) {
                Ok(v) => break v["sessionId"].as_str().expect("sessionId").to_owned(),
                // About one start in seven is slow, and the driver sometimes drops the
                // connection to the app while it starts: try again until the deadline.
                Err(e) if Instant::now() < deadline => {
                    eprintln!("webdriver: new session failed, retrying: {e:?}");
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => panic!("no WebDriver session on the app: {e:?}"),
            }
        };
        wd.session = Some(session);
        wd
    }

    fn raw(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, WdError> {
        let url = format!("{}{path}", self.base);
        let req = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body.unwrap_or_else(|| json!({}))),
        };
        self.rt.block_on(async {
            let resp = req.send().await.map_err(|e| WdError {
                error: "connection".into(),
                message: e.to_string(),
            })?;
            let v: Value = resp.json().await.map_err(|e| WdError {
                error: "connection".into(),
                message: e.to_string(),
            })?;
            let value = v.get("value").cloned().unwrap_or(Value::Null);
            match value.get("error").and_then(Value::as_str) {
                Some(error) => Err(WdError {
                    error: error.to_owned(),
                    message: value["message"].as_str().unwrap_or_default().to_owned(),
                }),
                None => Ok(value),
            }
        })
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, WdError> {
        let session = self.session.as_deref().expect("session open");
        self.raw(method, &format!("/session/{session}{path}"), body)
    }

    /// Runs a command on the element with this test id, finding it again if the page
    /// re-rendered it in between (a stale reference is not a failure of the app).
    fn on_element(&self, id: &str, f: impl Fn(&Element) -> Result<Value, WdError>) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            match f(&self.el(id)) {
                Ok(v) => return v,
                Err(e) if e.error == "stale element reference" && Instant::now() < deadline => {}
                Err(e) => panic!("WebDriver on {id}: {e:?}"),
            }
        }
    }

    fn must(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.cmd(method, path, body)
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e:?}"))
    }

    /// The elements matching the CSS `selector` now (none is not an error).
    pub fn find_all(&self, selector: &str) -> Vec<Element> {
        let v = self.must(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": selector})),
        );
        v.as_array()
            .expect("element list")
            .iter()
            .map(|e| {
                let id = e[ELEMENT_KEY].as_str();
                Element(
                    id.unwrap_or_else(|| panic!("no element id in {e}"))
                        .to_owned(),
                )
            })
            .collect()
    }

    /// The first element with `data-testid="<id>"`, waiting for it up to [`WAIT`].
    pub fn el(&self, id: &str) -> Element {
        self.css(&testid(id))
    }

    /// The first element matching the CSS `selector`, waiting for it up to [`WAIT`].
    pub fn css(&self, selector: &str) -> Element {
        self.wait_for(&format!("an element {selector}"), WAIT, || {
            self.find_all(selector).into_iter().next()
        })
    }

    /// Whether an element with `data-testid="<id>"` is on the page now.
    pub fn has(&self, id: &str) -> bool {
        !self.find_all(&testid(id)).is_empty()
    }

    /// Clicks the element with this test id (waiting for it, and until it is enabled).
    pub fn click(&self, id: &str) {
        self.wait_until(&format!("{id} enabled"), WAIT, || {
            let e = self.el(id);
            self.cmd("GET", &format!("/element/{}/enabled", e.0), None)
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false)
        });
        self.on_element(id, |e| {
            self.cmd("POST", &format!("/element/{}/click", e.0), None)
        });
    }

    /// Types `text` into the element with this test id.
    pub fn type_into(&self, id: &str, text: &str) {
        self.on_element(id, |e| {
            self.cmd(
                "POST",
                &format!("/element/{}/value", e.0),
                Some(json!({"text": text})),
            )
        });
    }

    /// Presses `keys` one after another on whatever has the focus, as a person at the keyboard
    /// would, with the keys in `held` (modifiers, [`key`]) held down around them.
    pub fn press(&self, held: &[char], keys: &str) {
        let mut actions = Vec::new();
        let mut key =
            |kind: &str, k: char| actions.push(json!({"type": kind, "value": k.to_string()}));
        held.iter().for_each(|&k| key("keyDown", k));
        for k in keys.chars() {
            key("keyDown", k);
            key("keyUp", k);
        }
        held.iter().rev().for_each(|&k| key("keyUp", k));
        let keyboard = json!({"type": "key", "id": "keyboard", "actions": actions});
        self.must("POST", "/actions", Some(json!({"actions": [keyboard]})));
    }

    /// The test id of the element that has the focus, if it has one.
    pub fn focused(&self) -> Option<String> {
        let id = self.script(
            "return document.activeElement?.dataset?.testid ?? null;",
            json!([]),
        );
        id.as_str().map(str::to_owned)
    }

    /// Clears the element with this test id, then types `text` into it.
    pub fn fill(&self, id: &str, text: &str) {
        self.on_element(id, |e| {
            self.cmd("POST", &format!("/element/{}/clear", e.0), None)
        });
        self.type_into(id, text);
    }

    /// Picks the option with `value` in the `<select>` with this test id.
    pub fn select(&self, id: &str, value: &str) {
        self.css(&format!("{} option[value=\"{value}\"]", testid(id)));
        self.script(
            "const s = document.querySelector(arguments[0]); s.value = arguments[1]; \
             s.dispatchEvent(new Event('change', {bubbles: true}));",
            json!([testid(id), value]),
        );
    }

    /// The rendered text of the element with this test id.
    pub fn text(&self, id: &str) -> String {
        let v = self.on_element(id, |e| {
            self.cmd("GET", &format!("/element/{}/text", e.0), None)
        });
        v.as_str().unwrap_or_default().to_owned()
    }

    /// The rendered text of an element; empty if the page has replaced it since (for polls).
    pub fn element_text(&self, e: &Element) -> String {
        match self.cmd("GET", &format!("/element/{}/text", e.0), None) {
            Ok(v) => v.as_str().unwrap_or_default().to_owned(),
            Err(e) if e.error == "stale element reference" => String::new(),
            Err(e) => panic!("WebDriver element text: {e:?}"),
        }
    }

    /// An attribute of the element with this test id.
    pub fn attr(&self, id: &str, name: &str) -> Option<String> {
        let v = self.on_element(id, |e| {
            self.cmd("GET", &format!("/element/{}/attribute/{name}", e.0), None)
        });
        v.as_str().map(str::to_owned)
    }

    /// A form field's current value (a property, so it follows what was typed).
    pub fn value(&self, id: &str) -> String {
        self.script(
            "return document.querySelector(arguments[0]).value;",
            json!([testid(id)]),
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Runs `script` (a function body) in the page with `args` and returns its value.
    pub fn script(&self, script: &str, args: Value) -> Value {
        self.try_script(script, args)
            .unwrap_or_else(|e| panic!("WebDriver POST /execute/sync: {e:?}"))
    }

    /// Runs `script` in the page; an error is returned, not a panic (a script that ends the
    /// app may lose its own answer).
    pub fn try_script(&self, script: &str, args: Value) -> Result<Value, WdError> {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// The page's whole markup.
    pub fn html(&self) -> String {
        self.script("return document.documentElement.outerHTML;", json!([]))
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Whether the session still answers.
    pub fn answers(&self) -> bool {
        self.cmd("GET", "/title", None).is_ok()
    }

    /// Saves a PNG of the window to `path`, after two animation frames so it shows what is on
    /// screen now rather than the previous frame.
    pub fn screenshot(&self, path: &std::path::Path) {
        self.try_screenshot(path)
            .unwrap_or_else(|e| panic!("screenshot {}: {e:?}", path.display()));
    }

    /// [`Self::screenshot`], answering errors instead of panicking (for failure reports).
    pub fn try_screenshot(&self, path: &std::path::Path) -> Result<(), WdError> {
        self.cmd(
            "POST",
            "/execute/async",
            Some(json!({
                "script": "const done = arguments[arguments.length - 1]; \
                           requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                "args": [],
            })),
        )?;
        let v = self.cmd("GET", "/screenshot", None)?;
        let png = STANDARD
            .decode(v.as_str().unwrap_or_default())
            .map_err(|e| WdError {
                error: "base64".into(),
                message: format!("the screenshot is not base64: {e}"),
            })?;
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(path, png));
        written.map_err(|e| WdError {
            error: "io".into(),
            message: e.to_string(),
        })
    }

    /// The page's whole markup, or `None` if the page does not answer.
    pub fn try_html(&self) -> Option<String> {
        let v = self
            .cmd(
                "POST",
                "/execute/sync",
                Some(json!({"script": "return document.documentElement.outerHTML;", "args": []})),
            )
            .ok()?;
        v.as_str().map(str::to_owned)
    }

    /// Polls `f` until it returns `Some`, for at most `within`; panics naming `what` otherwise.
    pub fn wait_for<T>(&self, what: &str, within: Duration, mut f: impl FnMut() -> Option<T>) -> T {
        wait_for(what, within, &mut f)
    }

    /// Polls `f` until it returns true, for at most `within`; panics naming `what` otherwise.
    pub fn wait_until(&self, what: &str, within: Duration, mut f: impl FnMut() -> bool) {
        wait_for(what, within, &mut || f().then_some(()));
    }

    /// Waits until the element with this test id shows exactly `text`.
    pub fn wait_text(&self, id: &str, text: &str) {
        let mut last = String::new();
        let found = wait_for_opt(WAIT, &mut || {
            last = self
                .find_all(&testid(id))
                .first()
                .map(|e| self.element_text(e))
                .unwrap_or_default();
            (last == text).then_some(())
        });
        assert!(
            found.is_some(),
            "{id} never showed {text:?} within {WAIT:?}; last {last:?}"
        );
    }

    /// Ends the session (the driver closes the app).
    pub fn quit(&mut self) {
        if self.session.is_some() {
            let _ = self.cmd("DELETE", "", None);
            self.session = None;
        }
    }
}

impl Drop for WebDriver {
    fn drop(&mut self) {
        self.quit();
    }
}

/// Polls `f` every 20 ms until it returns `Some`, for at most `within`.
fn wait_for_opt<T>(within: Duration, f: &mut dyn FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Polls `f` until it returns `Some`, for at most `within`; panics naming `what` otherwise.
pub fn wait_for<T>(what: &str, within: Duration, f: &mut dyn FnMut() -> Option<T>) -> T {
    wait_for_opt(within, f).unwrap_or_else(|| panic!("waited {within:?} for {what}"))
}

/// The WebDriver protocol's codes for keys that type no text, for [`WebDriver::press`].
pub mod key {
    /// Control.
    pub const CONTROL: char = '\u{E009}';
    /// Enter.
    pub const ENTER: char = '\u{E007}';
    /// Escape.
    pub const ESCAPE: char = '\u{E00C}';
}
