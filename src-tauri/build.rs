//! Builds the Tauri context; the app's own commands are listed so that capabilities can grant
//! each one by name (nothing is allowed that the UI does not use).

fn main() {
    let commands: &[&str] = &include!("src/command_names.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build");
}
