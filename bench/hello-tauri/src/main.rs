//! A hello-world Tauri 2 app, the reference of the desktop app's figures (scripts/measure.d/app):
//! one window whose page asks a command for a list, paints it, and shows a row's detail on a
//! click through another command. It reports its first paint as the app does.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// Twenty rows for the page's list.
#[tauri::command]
fn rows() -> Vec<String> {
    (1..=20).map(|i| format!("Hello row {i}")).collect()
}

/// The detail of row `id`.
#[tauri::command]
fn detail(id: u32) -> String {
    format!("Hello row {id}, in detail")
}

/// The page painted `mark` at `at_ms` (milliseconds since the Unix epoch): one line on stderr.
#[tauri::command]
fn painted(mark: String, at_ms: f64) {
    eprintln!("painted mark={mark} at_ms={at_ms:.3}");
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![rows, detail, painted])
        .run(tauri::generate_context!())
        .expect("hello-tauri runs");
}
