//! oncall-desk, the desktop app: a Tauri shell over oncall-core. Commands are thin; the core's
//! long-lived desk ([`oncall_core::live::Live`]) does the work and its change feed drives the UI,
//! the tray and the notifications.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod crash;
mod demo;
mod desktop;
mod fixes;
mod rendering;
mod state;
mod window;

use tauri::Manager;

fn main() {
    crash::install();
    init_tracing();
    let app = tauri::Builder::default()
        // First, so that a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            desktop::show_main_window(app);
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            rendering::paint_on_cpu(app.handle());
            match state::App::start() {
                Ok(state) => {
                    app.manage(std::sync::Arc::clone(&state));
                    desktop::start(app.handle(), &state)?;
                    crash::when_asked();
                }
                // The window says what stops the app and what to do; nothing else starts.
                Err(e) => {
                    tracing::error!(target: "startup", error = format!("{e:#}"), "oncall-desk cannot start");
                    app.manage(state::StartupProblem(fixes::startup(&e)));
                }
            }
            window::fit_to_screen(app.handle());
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!());
    if let Err(e) = app {
        eprintln!("oncall-desk could not start: {e}");
        std::process::exit(1);
    }
}

/// Logs go to stderr (tauri-driver discards stdout), filtered by `ONCALL_LOG`.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ONCALL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
