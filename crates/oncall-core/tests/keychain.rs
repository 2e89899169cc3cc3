//! The keychain against the real Secret Service (run inside `dbus-run-session` with an unlocked
//! gnome-keyring, as scripts/test does), with `secret-tool` as the independent witness that
//! each secret really is stored there, and nowhere after deletion.

use std::process::Command;

use oncall_core::{
    secrets::{KEYCHAIN_SERVICE, Keychain, NcentralLogin, Secret, SecretKey},
    settings::Profile,
};

/// A profile of its own, so parallel tests never share an entry.
fn keychain() -> Keychain {
    let id = uuid::Uuid::new_v4().simple().to_string();
    Keychain::new(Profile::parse(&format!("core-test-{}", &id[..12])).expect("profile"))
}

/// What the Secret Service holds for `key`, found by the attributes keyring 3 writes
/// (`service`, `username`, `target`), read by `secret-tool`, not by keyring.
fn secret_tool_lookup(keychain: &Keychain, key: SecretKey) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", KEYCHAIN_SERVICE, "username"])
        .arg(keychain.account(key))
        .args(["target", "default"])
        .output()
        .expect("secret-tool runs (apt-get install libsecret-tools)");
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).expect("utf-8"))
}

/// How many Secret Service items match `key`'s entry.
fn secret_tool_count(keychain: &Keychain, key: SecretKey) -> usize {
    let out = Command::new("secret-tool")
        .args(["search", "--all", "service", KEYCHAIN_SERVICE, "username"])
        .arg(keychain.account(key))
        .output()
        .expect("secret-tool runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    text.lines().filter(|l| l.starts_with("secret = ")).count()
}

#[test]
fn a_secret_is_stored_read_replaced_and_deleted_in_the_secret_service() {
    let k = keychain();
    let key = SecretKey::PsaServiceKey;
    assert_eq!(k.get(key).unwrap(), None);
    assert_eq!(secret_tool_lookup(&k, key), None);

    k.set(key, &Secret::new("first-key-1")).unwrap();
    assert_eq!(k.get(key).unwrap(), Some(Secret::new("first-key-1")));
    assert_eq!(secret_tool_lookup(&k, key).as_deref(), Some("first-key-1"));

    k.set(key, &Secret::new("second-key-2 with spaces ✓"))
        .unwrap();
    assert_eq!(
        secret_tool_lookup(&k, key).as_deref(),
        Some("second-key-2 with spaces ✓")
    );
    assert_eq!(secret_tool_count(&k, key), 1, "replaced, not added");

    assert!(k.delete(key).unwrap());
    assert_eq!(secret_tool_lookup(&k, key), None);
    assert_eq!(k.get(key).unwrap(), None);
    assert!(!k.delete(key).unwrap(), "deleting again finds nothing");
}

#[test]
fn profiles_keep_their_own_secrets() {
    let (a, b) = (keychain(), keychain());
    a.set(SecretKey::PsaServiceKey, &Secret::new("a-key"))
        .unwrap();
    assert_eq!(b.get(SecretKey::PsaServiceKey).unwrap(), None);
    assert!(a.delete(SecretKey::PsaServiceKey).unwrap());
}

#[test]
fn the_ncentral_login_is_four_entries_stored_and_removed_together() {
    let k = keychain();
    assert_eq!(NcentralLogin::load(&k).unwrap(), None);
    let login = NcentralLogin::new("jwt-1", "ik-1", "tech@example.com", "pw 1").unwrap();
    login.store(&k).unwrap();
    assert_eq!(NcentralLogin::load(&k).unwrap(), Some(login));
    for (key, expected) in
        SecretKey::NCENTRAL_LOGIN
            .into_iter()
            .zip(["jwt-1", "ik-1", "tech@example.com", "pw 1"])
    {
        assert_eq!(
            secret_tool_lookup(&k, key).as_deref(),
            Some(expected),
            "{key}"
        );
    }

    // Half a login (one part deleted by hand) is no login.
    assert!(k.delete(SecretKey::NcentralPassword).unwrap());
    assert_eq!(NcentralLogin::load(&k).unwrap(), None);

    assert!(NcentralLogin::delete(&k).unwrap());
    for key in SecretKey::NCENTRAL_LOGIN {
        assert_eq!(secret_tool_lookup(&k, key), None, "{key}");
    }
    assert!(!NcentralLogin::delete(&k).unwrap());
}
