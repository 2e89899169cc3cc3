//! A new incident as the desktop app sends it (JSON) and the CLI builds it, checked and
//! normalised by `NewIncident::validate`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oncall_core::domain::NewIncident;

fuzz_target!(|json: &[u8]| {
    let Ok(input) = serde_json::from_slice::<NewIncident>(json) else {
        return;
    };
    let Ok(valid) = input.validate() else {
        return;
    };
    assert_eq!(valid.tenant_id.as_str(), input.tenant_id.trim());
    assert_eq!(valid.title, input.title.trim());
    assert!(!valid.title.is_empty() && !valid.title.contains(char::is_control));
    assert_eq!(
        valid.description, input.description,
        "the description is kept intact"
    );
    assert!(
        valid
            .severity
            .as_str()
            .eq_ignore_ascii_case(input.severity.trim())
    );
    // What was accepted, checked again, is accepted unchanged.
    let again = NewIncident {
        tenant_id: valid.tenant_id.to_string(),
        title: valid.title.clone(),
        description: valid.description.clone(),
        severity: valid.severity.to_string(),
        alert_source: valid.alert_source.clone(),
        product: valid.product.clone(),
        defend: valid.defend.clone(),
    }
    .validate();
    assert_eq!(again, Ok(valid));
});
