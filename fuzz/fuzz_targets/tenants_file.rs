//! psa-sim's tenants file: one `ID=COMPANY` a line, blank lines and `#` comments skipped.
#![no_main]

use libfuzzer_sys::fuzz_target;
use psa_sim::parse_tenants_file;

fuzz_target!(|text: &str| {
    let Ok(tenants) = parse_tenants_file(text) else {
        return;
    };
    for (id, company) in &tenants {
        assert!(!id.is_empty() && id.trim() == id && !id.contains(['=', '\n']));
        assert!(!id.starts_with('#'), "a comment is never a tenant");
        assert!(!company.is_empty() && company.trim() == company && !company.contains('\n'));
    }
    // Written back one a line, the tenants read back the same, in the same order.
    let written: String = tenants
        .iter()
        .map(|(id, company)| format!("{id}={company}\n"))
        .collect();
    assert_eq!(parse_tenants_file(&written).expect("written back"), tenants);
});
