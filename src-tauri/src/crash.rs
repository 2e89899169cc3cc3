//! Crash reports: when the app panics, a short report (what, where, which version, the
//! backtrace) is written to `crashes/` in the data directory, where a technician can find it
//! and send it to us. The report holds only the panic itself: no environment, no settings, no
//! secret (secrets format as `[redacted]` wherever a panic could print them).

use std::{
    backtrace::Backtrace,
    fmt::Write as _,
    panic::PanicHookInfo,
    path::{Path, PathBuf},
};

/// Installs the panic hook: the report first, then Rust's own message on stderr.
pub fn install() {
    let Some(dir) = oncall_core::paths::data_dir().map(|d| d.join("crashes")) else {
        return;
    };
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        match write(&dir, info) {
            Ok(path) => eprintln!("oncall-desk crashed; report: {}", path.display()),
            Err(e) => eprintln!("oncall-desk crashed; cannot write a report: {e}"),
        }
        previous(info);
    }));
}

/// Panics when `ONCALL_CRASH_TEST=1`, once the app has started with its settings and secrets
/// loaded: a correct app does not panic, and the crash report must be tested end to end
/// (tests/desktop.rs checks that it holds no secret).
pub fn when_asked() {
    if std::env::var_os("ONCALL_CRASH_TEST").is_some_and(|v| v == "1") {
        panic!("a crash asked for by ONCALL_CRASH_TEST");
    }
}

/// Writes the report of `info` to a new file in `dir`.
fn write(dir: &Path, info: &PanicHookInfo<'_>) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let now = jiff::Timestamp::now();
    let path = dir.join(format!(
        "crash-{}-{}.txt",
        now.strftime("%Y%m%dT%H%M%SZ"),
        std::process::id()
    ));
    std::fs::write(&path, report(info, now))?;
    Ok(path)
}

/// The report's text.
fn report(info: &PanicHookInfo<'_>, now: jiff::Timestamp) -> String {
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned());
    let location = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
        .unwrap_or_else(|| "(unknown)".to_owned());
    let thread = std::thread::current();
    let mut text = String::new();
    let _ = writeln!(
        text,
        "oncall-desk {} crashed at {now}",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(text, "thread: {}", thread.name().unwrap_or("(unnamed)"));
    let _ = writeln!(text, "message: {message}");
    let _ = writeln!(text, "location: {location}");
    let _ = writeln!(text, "backtrace:\n{}", Backtrace::force_capture());
    text
}
