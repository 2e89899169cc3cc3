//! The settings file, read and written as `SettingsFile::load` and `save` do, and each stored
//! value as `config set` checks it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oncall_core::settings::{Profile, SettingKey, Settings};

fuzz_target!(|file: &[u8]| {
    let Ok(settings) = serde_json::from_slice::<Settings>(file) else {
        return;
    };
    // Saved and loaded again, nothing changes (not even names this version does not know).
    let saved = serde_json::to_vec_pretty(&settings).expect("settings serialize");
    let loaded: Settings = serde_json::from_slice(&saved).expect("a saved file loads");
    assert_eq!(loaded, settings);

    let stored = serde_json::to_value(&settings).expect("settings serialize");
    let Some(profiles) = stored["profiles"].as_object() else {
        return;
    };
    for (name, values) in profiles {
        let Ok(profile) = Profile::parse(name) else {
            continue;
        };
        for key in SettingKey::ALL {
            assert_eq!(settings.get(&profile, key), values[key.name()].as_str());
            let Some(value) = settings.get(&profile, key) else {
                continue;
            };
            // A value as checked is stored as is: checking it again changes nothing.
            if let Ok(checked) = key.check(value) {
                assert_eq!(key.check(&checked), Ok(checked.clone()));
                let mut changed = settings.clone();
                assert_eq!(changed.set(&profile, key, value), Ok(checked.clone()));
                assert_eq!(changed.get(&profile, key), Some(checked.as_str()));
            }
        }
    }
});
