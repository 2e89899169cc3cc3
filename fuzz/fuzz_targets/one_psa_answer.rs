//! The One PSA's answers, read as `OnePsaClient` reads them: the body as JSON first, then as the
//! answer the contract promises (health, ticket, created id).
#![no_main]

use libfuzzer_sys::fuzz_target;
use oncall_core::{
    domain::ResolutionRequest,
    psa::{CreatedTicket, Health, Ticket, TicketStatus},
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// What was read, written back and read again, is what was read.
fn round_trips<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(read: &T) {
    let written = serde_json::to_value(read).expect("what was read can be written");
    let again: T = serde_json::from_value(written).expect("what was written reads back");
    assert_eq!(&again, read);
}

fuzz_target!(|body: &[u8]| {
    let Ok(answer) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    if let Ok(health) = serde_json::from_value::<Health>(answer.clone()) {
        round_trips(&health);
    }
    if let Ok(ticket) = serde_json::from_value::<Ticket>(answer.clone()) {
        // An unknown status never reads back as a known one, nor the other way round: the
        // desk's "closed by hand" check depends on Completed being exactly Completed.
        round_trips::<TicketStatus>(&ticket.status);
        if let Some(resolution) = &ticket.resolution {
            round_trips::<ResolutionRequest>(resolution);
        }
    }
    // serde also reads a struct from an array of its fields (`["T-1"]`); an object's id is its
    // `id`.
    if let Ok(created) = serde_json::from_value::<CreatedTicket>(answer.clone())
        && answer.is_object()
    {
        assert_eq!(answer["id"].as_str(), Some(created.id.as_str()));
    }
});
