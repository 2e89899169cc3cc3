//! Builds the Tauri context.

fn main() {
    tauri_build::build();
}
