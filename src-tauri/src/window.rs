//! The main window's size on a small screen: the default size (or one remembered from a bigger
//! screen) must not leave the window's edges, and its buttons, off the screen.

use std::sync::atomic::{AtomicBool, Ordering};

use tauri::{AppHandle, Manager, PhysicalPosition, PhysicalSize, WebviewWindow, WindowEvent};

/// Fits the main window to the screen once it is first mapped (before that it has no size or
/// monitor to compare).
pub fn fit_to_screen(app: &AppHandle) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let fitted = AtomicBool::new(false);
    let handle = window.clone();
    window.on_window_event(move |event| {
        if let WindowEvent::Resized(size) = event
            && size.width > 0
            && !fitted.swap(true, Ordering::Relaxed)
        {
            shrink_to_screen(&handle, *size);
        }
    });
}

/// Shrinks the window to nine tenths of its screen where it would not fit, and centres it.
fn shrink_to_screen(window: &WebviewWindow, size: PhysicalSize<u32>) {
    let Ok(Some(monitor)) = window.current_monitor() else {
        return;
    };
    let screen = monitor.size();
    tracing::debug!(?screen, ?size, "the window's first size");
    if size.width <= screen.width && size.height <= screen.height {
        return;
    }
    let fitted = PhysicalSize::new(
        size.width.min(screen.width * 9 / 10),
        size.height.min(screen.height * 9 / 10),
    );
    // Centred from the new size: `center()` would still see the old one, the resize being
    // asynchronous.
    let origin = monitor.position();
    let centred = PhysicalPosition::new(
        origin.x + ((screen.width - fitted.width) / 2) as i32,
        origin.y + ((screen.height - fitted.height) / 2) as i32,
    );
    if let Err(e) = window
        .set_size(fitted)
        .and_then(|()| window.set_position(centred))
    {
        tracing::warn!("cannot fit the window to the screen: {e}");
    }
}
