//! The UI's TypeScript types (ui/src/bindings/) must be what the Rust types generate: a change
//! on one side without the other fails here. `ONCALL_BLESS_BINDINGS=1 cargo test -p oncall-core
//! --test bindings` writes them anew.

use std::{collections::BTreeMap, fs, path::Path};

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "ts"))
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    (name, fs::read_to_string(e.path()).unwrap_or_default())
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn ui_bindings_match_the_rust_types() {
    let checked_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings");
    let fresh = tempfile::tempdir().unwrap();
    oncall_core::view::typescript::write_all(fresh.path()).unwrap();
    let generated = read_dir(fresh.path());
    assert!(
        generated.len() > 10,
        "too few types generated: {generated:?}"
    );
    if std::env::var_os("ONCALL_BLESS_BINDINGS").is_some() {
        let _ = fs::remove_dir_all(&checked_in);
        fs::create_dir_all(&checked_in).unwrap();
        for (name, text) in &generated {
            fs::write(checked_in.join(name), text).unwrap();
        }
    }
    let present = read_dir(&checked_in);
    let stale: Vec<&String> = generated
        .keys()
        .chain(present.keys())
        .filter(|name| generated.get(*name) != present.get(*name))
        .collect();
    assert!(
        stale.is_empty(),
        "ui/src/bindings is stale ({stale:?}); run ONCALL_BLESS_BINDINGS=1 cargo test -p oncall-core --test bindings"
    );
}
