//! `Retry-After` (seconds or an HTTP date) as the wait both PSA clients honour.
#![no_main]

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use libfuzzer_sys::fuzz_target;
use oncall_core::psa::{MAX_RETRY_AFTER, retry_after};

// The input: the time of the answer (8 bytes, little-endian Unix seconds, wrapped into jiff's
// range) and the header's value.
fuzz_target!(|input: &[u8]| {
    let Some((seconds, value)) = input.split_first_chunk::<8>() else {
        return;
    };
    let Ok(value) = std::str::from_utf8(value) else {
        return;
    };
    let (min, max) = (Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    let seconds = i64::from_le_bytes(*seconds);
    let now = Timestamp::from_second(seconds)
        .or_else(|_| Timestamp::from_second(min + seconds.rem_euclid(max - min)))
        .expect("in range");
    let wait = retry_after(value, now);
    // A PSA never makes the desk wait longer than the cap.
    assert!(wait.is_none_or(|w| w <= MAX_RETRY_AFTER), "{wait:?}");
    if let Ok(secs) = value.trim().parse::<u64>() {
        assert_eq!(wait, Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER)));
    }
    // Asked later, the same answer never means a longer wait.
    if let Ok(later) = now.checked_add(SignedDuration::from_secs(90)) {
        let wait_later = retry_after(value, later);
        assert_eq!(wait_later.is_some(), wait.is_some());
        assert!(wait_later <= wait, "{wait_later:?} > {wait:?}");
    }
});
