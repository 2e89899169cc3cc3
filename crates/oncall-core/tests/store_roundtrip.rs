//! Property: whatever a technician types that the rules accept comes back from the SQLite file
//! byte for byte, after the database is closed and opened again.

use std::sync::Arc;

use oncall_core::{Desk, SystemClock, domain::NewIncident};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn accepted_text_is_stored_intact(
        title in "\\P{Cc}{1,80}",
        body in "(\\P{Cc}|[\n\t\r]){1,400}",
        author in "\\P{Cc}{1,40}",
    ) {
        prop_assume!(!title.trim().is_empty() && !body.trim().is_empty() && !author.trim().is_empty());
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("db.sqlite3");
        let (incident, note) = {
            let mut desk = Desk::open(&db, Arc::new(SystemClock)).expect("open");
            desk.add_tenant("acme", "org", "ACME").expect("tenant");
            let incident = desk
                .new_incident(&NewIncident {
                    tenant_id: "acme".into(),
                    title: title.clone(),
                    description: body.clone(),
                    severity: "low".into(),
                    ..NewIncident::default()
                })
                .expect("incident");
            let note = desk.add_note(incident.id, &author, &body).expect("note").value;
            (incident, note)
        };
        let mut reopened = Desk::open(&db, Arc::new(SystemClock)).expect("reopen");
        let shown = reopened.incident(incident.id).expect("show");
        prop_assert_eq!(&shown.incident.title, title.trim());
        prop_assert_eq!(&shown.incident.description, &body);
        prop_assert_eq!(&shown.notes[0].body, &body);
        prop_assert_eq!(&shown.notes[0].author, author.trim());
        prop_assert_eq!(shown.notes[0].id, note.id);
    }
}
