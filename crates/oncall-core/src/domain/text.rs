//! Validation of free text typed by a person: trimmed where it is a name, intact where it is prose.

use super::DomainError;

/// A required one-line value (a title, a name): trimmed, non-empty, no control characters.
pub(crate) fn line(field: &'static str, value: &str, max: usize) -> Result<String, DomainError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(DomainError::Empty { field });
    }
    check_len(field, value, max)?;
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(control(field, c));
    }
    Ok(value.to_owned())
}

/// An optional one-line value: `None` when absent or blank.
pub(crate) fn optional_line(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, DomainError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => line(field, v, max).map(Some),
    }
}

/// Prose (a description, a note): kept byte for byte, with line breaks and tabs, but no NUL or
/// other control characters, which PSAs reject or mangle.
pub(crate) fn prose(
    field: &'static str,
    value: &str,
    max: usize,
    required: bool,
) -> Result<String, DomainError> {
    if required && value.trim().is_empty() {
        return Err(DomainError::Empty { field });
    }
    check_len(field, value, max)?;
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(control(field, c));
    }
    Ok(value.to_owned())
}

fn check_len(field: &'static str, value: &str, max: usize) -> Result<(), DomainError> {
    if value.len() > max {
        return Err(DomainError::TooLong {
            field,
            len: value.len(),
            max,
        });
    }
    Ok(())
}

fn control(field: &'static str, c: char) -> DomainError {
    DomainError::ControlCharacter {
        field,
        found: c.escape_unicode().to_string(),
    }
}
