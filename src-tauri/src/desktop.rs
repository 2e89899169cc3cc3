//! What makes it a desktop app beyond the window: the tray (writes waiting as its title; open,
//! sync now, quit), a notification when the PSA refuses a write, and the change feed forwarded
//! to the UI as events.

use std::sync::Arc;

use oncall_core::{live::LiveEvent, view::AttemptResult};
use tauri::{
    AppHandle, Emitter, Manager,
    menu::{Menu, MenuItem},
    tray::{TrayIcon, TrayIconBuilder},
};
use tauri_plugin_notification::NotificationExt;

use crate::state::App;

/// The tray icon, kept to update its title.
pub struct Tray(TrayIcon);

/// Shows, unminimises and focuses the main window (a second launch, the tray's Open).
pub fn show_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// Sets up the tray and forwards the desk's events to the UI, the tray and notifications.
pub fn start(app: &AppHandle, state: &Arc<App>) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open oncall-desk", true, None::<&str>)?;
    let sync = MenuItem::with_id(app, "sync", "Sync now", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &sync, &quit])?;
    let live = Arc::clone(&state.live);
    let mut tray = TrayIconBuilder::with_id("main")
        .menu(&menu)
        .tooltip("oncall-desk")
        .on_menu_event(move |app, event| match event.id().as_ref() {
            "open" => show_main_window(app),
            "sync" => live.sync_now(),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    let tray = tray.build(app)?;
    if let Ok(status) = state.live.status() {
        set_waiting(&tray, status.waiting);
    }
    app.manage(Tray(tray));

    let mut events = state.live.subscribe();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while let Ok(event) = events.recv().await {
            forward(&app, event);
        }
    });
    Ok(())
}

fn forward(app: &AppHandle, event: LiveEvent) {
    match event {
        LiveEvent::Changed(changed) => {
            let _ = app.emit("changed", changed);
        }
        LiveEvent::Status(status) => {
            if let Some(tray) = app.try_state::<Tray>() {
                set_waiting(&tray.0, status.waiting);
            }
            let _ = app.emit("status", status);
        }
        LiveEvent::Attempt(entry) if entry.result == AttemptResult::Refused => {
            // Shown even if nobody looks; the sync log keeps it either way.
            let shown = app
                .notification()
                .builder()
                .title(format!(
                    "The PSA refused a write for incident {}",
                    entry.incident_id
                ))
                .body(&entry.message)
                .show();
            if let Err(e) = shown {
                tracing::warn!(target: "desktop", error = %e, "cannot show a notification");
            }
        }
        LiveEvent::Attempt(_) => {}
    }
}

/// The tray's title is the number of writes waiting (Linux trays show no tooltip).
fn set_waiting(tray: &TrayIcon, waiting: u32) {
    let title = (waiting > 0).then(|| format!("{waiting} waiting"));
    let _ = tray.set_title(title.as_deref());
}
