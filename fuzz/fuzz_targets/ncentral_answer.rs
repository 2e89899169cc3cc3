//! N-central's answers: the discovery `_links` and the custom-PSA ticket look-up, read as
//! `NcentralClient` reads them (the body as JSON first).
#![no_main]

use libfuzzer_sys::fuzz_target;
use oncall_core::psa::{CustomPsaTicket, Discovery};
use serde_json::{Value, json};

fuzz_target!(|body: &[u8]| {
    let Ok(answer) = serde_json::from_slice::<Value>(body) else {
        return;
    };

    let mut discovery = Discovery::default();
    discovery.add(&answer);
    // Every link kept is the text the answer gives for its relation, never an invented one.
    let kept = serde_json::to_value(&discovery).expect("discovery serializes");
    for (rel, href) in kept["links"].as_object().expect("links is a map") {
        let link = &answer["_links"][rel];
        let first = link.as_array().and_then(|a| a.first()).unwrap_or(link);
        let given = first.as_str().or_else(|| first["href"].as_str());
        assert_eq!(given, href.as_str(), "link '{rel}'");
        assert_eq!(discovery.link(rel), href.as_str());
    }

    if let Ok(ticket) = CustomPsaTicket::from_answer(answer) {
        // Written back in N-central's shape, the ticket reads back the same.
        let again = CustomPsaTicket::from_answer(json!({"data": {
            "ticketId": ticket.id,
            "ticketTitle": ticket.title,
            "ticketDetails": ticket.details,
            "ticketStatus": ticket.status,
            "creationDate": ticket.creation_date,
        }}))
        .expect("a ticket written back reads back");
        assert_eq!(again, ticket);
    }
});
