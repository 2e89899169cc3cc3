use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{DomainError, IncidentId, incident::NAME_MAX, text};

/// Longest note accepted, in bytes: room for a long log excerpt, small enough for any PSA.
pub const NOTE_MAX_BYTES: usize = 64 * 1024;

/// The local id of a note.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(transparent)]
pub struct NoteId(pub i64);

impl fmt::Display for NoteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A technician's note on an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Local id.
    pub id: NoteId,
    /// The incident it belongs to.
    pub incident_id: IncidentId,
    /// Who wrote it.
    pub author: String,
    /// What they wrote, byte for byte.
    pub body: String,
    /// When it was written.
    pub created_at: Timestamp,
    /// Whether it was written after the incident was acknowledged (only those reach the PSA).
    pub after_ack: bool,
    /// The PSA's id for it, once synced.
    pub psa_note_id: Option<String>,
}

/// Checks a note's author and body; the body is kept intact, only its size and control
/// characters are checked.
pub fn validate_note(author: &str, body: &str) -> Result<(String, String), DomainError> {
    Ok((
        text::line("author", author, NAME_MAX)?,
        text::prose("note", body, NOTE_MAX_BYTES, true)?,
    ))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_note_over_the_limit_is_refused_with_its_size() {
        let body = "x".repeat(1024 * 1024);
        assert_eq!(
            validate_note("Dana", &body),
            Err(DomainError::TooLong {
                field: "note",
                len: 1024 * 1024,
                max: NOTE_MAX_BYTES
            })
        );
    }

    #[test]
    fn odd_unicode_is_kept_intact() {
        let body = "  RTL \u{202e}txet\u{202c}, emoji 🔥👩‍💻, combining e\u{301}, CJK 漢字\r\n\ttab ";
        assert_eq!(
            validate_note("Zoë", body),
            Ok(("Zoë".into(), body.to_owned()))
        );
    }

    proptest! {
        #[test]
        fn any_accepted_body_is_unchanged(body in "\\PC{0,200}[\n\t]?\\PC{0,50}") {
            if let Ok((_, kept)) = validate_note("Dana", &body) {
                prop_assert_eq!(kept, body);
            }
        }

        #[test]
        fn control_characters_are_always_refused(pre in "\\PC{0,20}", c in 0u8..32, post in "\\PC{0,20}") {
            prop_assume!(!matches!(c, b'\n' | b'\r' | b'\t'));
            let body = format!("{pre}x{}{post}", char::from(c));
            let refused = matches!(validate_note("Dana", &body), Err(DomainError::ControlCharacter { .. }));
            prop_assert!(refused);
        }
    }
}
