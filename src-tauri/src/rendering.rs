//! How the page is painted. On Linux, WebKitGTK composites and rasterises with the GPU by
//! default; where the GPU is emulated in software (llvmpipe: virtual machines, remote desktops,
//! the test displays) that made the first list wait about 80 ms for its frame and scrolling
//! drop frames (docs/performance.md). A dense list of text paints well on the CPU everywhere.

use tauri::{AppHandle, Manager};

/// Asks the main window's webview to paint on the CPU (no GPU compositing). Called from setup,
/// on the main thread, where the change applies before the page's first frames.
#[cfg(target_os = "linux")]
pub fn paint_on_cpu(app: &AppHandle) {
    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let applied = window.with_webview(|webview| {
        if let Some(settings) = webview.inner().settings() {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
    if let Err(e) = applied {
        tracing::warn!(target: "desktop", error = %e, "cannot set how the page is painted");
    }
}

/// Other systems' webviews choose well by themselves.
#[cfg(not(target_os = "linux"))]
pub fn paint_on_cpu(_app: &AppHandle) {}
