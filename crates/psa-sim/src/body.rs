//! Field-by-field reading of JSON request bodies, answering 400 with the field at fault.

use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::reply::Reply;

/// The field name reported when the body as a whole is not a JSON object.
const WHOLE_BODY: &str = "$";

/// A JSON object body.
pub(crate) struct Fields(Map<String, Value>);

impl Fields {
    /// Parses a body that must be a JSON object.
    pub fn parse(bytes: &[u8]) -> Result<Self, Reply> {
        match serde_json::from_slice(bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(Reply::invalid(WHOLE_BODY, "body must be a JSON object")),
            Err(e) => Err(Reply::invalid(WHOLE_BODY, format!("body is not JSON: {e}"))),
        }
    }

    /// A required string with something other than whitespace in it.
    pub fn text(&self, name: &str) -> Result<String, Reply> {
        match self.0.get(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
            _ => Err(Reply::invalid(
                name,
                format!("{name} must be a non-empty string"),
            )),
        }
    }

    /// A string that may be missing or null.
    pub fn optional_text(&self, name: &str) -> Result<Option<String>, Reply> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(Reply::invalid(
                name,
                format!("{name} must be a string or null"),
            )),
        }
    }

    /// A boolean, or `default` when missing.
    pub fn flag(&self, name: &str, default: Option<bool>) -> Result<bool, Reply> {
        match (self.0.get(name), default) {
            (Some(Value::Bool(b)), _) => Ok(*b),
            (None, Some(default)) => Ok(default),
            _ => Err(Reply::invalid(
                name,
                format!("{name} must be true or false"),
            )),
        }
    }

    /// A required RFC 3339 timestamp with an offset, kept as sent and parsed.
    pub fn timestamp(&self, name: &str) -> Result<(String, Timestamp), Reply> {
        let invalid = || {
            Reply::invalid(
                name,
                format!("{name} must be an RFC 3339 timestamp with an offset"),
            )
        };
        let Some(Value::String(s)) = self.0.get(name) else {
            return Err(invalid());
        };
        let at = s.parse::<Timestamp>().map_err(|_| invalid())?;
        Ok((s.clone(), at))
    }

    /// A required positive whole number.
    pub fn positive_int(&self, name: &str) -> Result<u64, Reply> {
        match self.0.get(name).and_then(Value::as_u64) {
            Some(n) if n > 0 => Ok(n),
            _ => Err(Reply::invalid(
                name,
                format!("{name} must be a positive whole number"),
            )),
        }
    }

    /// The object itself.
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }

    /// Any JSON value, as sent; null counts as missing.
    pub fn any(&self, name: &str) -> Option<Value> {
        self.0.get(name).filter(|v| !v.is_null()).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_must_be_a_positive_whole_number() {
        for bad in [
            r#"{"m":0}"#,
            r#"{"m":-5}"#,
            r#"{"m":1.5}"#,
            r#"{"m":"10"}"#,
            "{}",
        ] {
            let err = Fields::parse(bad.as_bytes())
                .unwrap()
                .positive_int("m")
                .unwrap_err();
            assert_eq!(err.body["field"], "m", "{bad}");
        }
        let ok = Fields::parse(br#"{"m":15}"#).unwrap();
        assert_eq!(ok.positive_int("m").unwrap(), 15);
    }

    #[test]
    fn timestamps_need_an_offset() {
        let f = Fields::parse(br#"{"a":"2024-02-21T06:28:10-05:00","b":"2024-02-21T06:28:10"}"#)
            .unwrap();
        assert!(f.timestamp("a").is_ok());
        assert_eq!(f.timestamp("b").unwrap_err().body["field"], "b");
    }

    #[test]
    fn a_non_object_body_is_refused_as_a_whole() {
        let Err(err) = Fields::parse(b"[1]") else {
            panic!("an array is not a ticket");
        };
        assert_eq!(err.body["field"], "$");
    }
}
