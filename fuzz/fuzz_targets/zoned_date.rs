//! N-central's zoned `creationDate` (e.g. `2024-02-21T06:28:10.624-05:00[America/New_York]`),
//! read through the ticket answer that carries it.
#![no_main]

use jiff::{Timestamp, Zoned};
use libfuzzer_sys::fuzz_target;
use oncall_core::psa::CustomPsaTicket;
use serde_json::json;

fn read(date: &str) -> CustomPsaTicket {
    CustomPsaTicket::from_answer(json!({"data": {"ticketId": "1", "creationDate": date}}))
        .expect("any creation date is read, or kept as sent")
}

fuzz_target!(|date: &str| {
    let ticket = read(date);
    assert_eq!(ticket.creation_date, date, "kept as sent");
    // Whatever the zone says, the instant is the one the offset gives.
    if let Ok(instant) = date.parse::<Timestamp>() {
        assert_eq!(ticket.created.as_ref().map(Zoned::timestamp), Some(instant));
    }
    // What was read, shown and read again, is the same instant.
    if let Some(created) = &ticket.created {
        let again = read(&created.to_string()).created;
        assert_eq!(
            again.as_ref().map(Zoned::timestamp),
            Some(created.timestamp())
        );
    }
});
