//! A note's author and body as typed (CLI, desktop app): the body is kept byte for byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oncall_core::domain::{NOTE_MAX_BYTES, validate_note};

// The input: the author, a NUL byte, the body (an author with a NUL is refused anyway).
fuzz_target!(|input: &[u8]| {
    let Ok(input) = std::str::from_utf8(input) else {
        return;
    };
    let (author, body) = input.split_once('\0').unwrap_or(("Dana", input));
    let Ok((kept_author, kept_body)) = validate_note(author, body) else {
        return;
    };
    assert_eq!(kept_body, body, "the body is kept intact");
    assert!(!body.trim().is_empty() && body.len() <= NOTE_MAX_BYTES);
    assert!(
        !body
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')),
        "no control character but line breaks and tabs reaches the PSA"
    );
    assert_eq!(kept_author, author.trim());
    assert!(!kept_author.is_empty() && !kept_author.contains(char::is_control));
    assert_eq!(
        validate_note(&kept_author, &kept_body),
        Ok((kept_author.clone(), kept_body.clone()))
    );
});
