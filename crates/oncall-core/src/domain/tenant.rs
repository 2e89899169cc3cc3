use std::fmt;

use serde::{Deserialize, Serialize};

use super::{DomainError, text};

/// The id of a tenant (a client organisation), as the PSA knows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(transparent)]
pub struct TenantId(String);

impl TenantId {
    /// Checks a tenant id: 1 to 64 of `A-Z a-z 0-9 . _ -`.
    pub fn parse(id: &str) -> Result<Self, DomainError> {
        let ok = (1..=64).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(Self(id.to_owned()))
        } else {
            Err(DomainError::InvalidTenantId(id.to_owned()))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A client organisation of the MSP: its tenant id, its org id and its company name in the PSA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Tenant {
    /// The tenant id sent with every PSA ticket request.
    pub id: TenantId,
    /// The organisation id the PSA uses to look the company up.
    pub org_id: String,
    /// The client company's name.
    pub company: String,
}

impl Tenant {
    /// A validated tenant.
    pub fn new(id: &str, org_id: &str, company: &str) -> Result<Self, DomainError> {
        Ok(Self {
            id: TenantId::parse(id)?,
            org_id: text::line("org id", org_id, 128)?,
            company: text::line("company name", company, 255)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_checked() {
        assert!(TenantId::parse("acme-01.eu_west").is_ok());
        for bad in ["", "acme corp", "acme/1", "é", &"x".repeat(65)] {
            assert_eq!(
                TenantId::parse(bad),
                Err(DomainError::InvalidTenantId(bad.to_owned()))
            );
        }
    }

    #[test]
    fn company_and_org_are_required() {
        assert_eq!(
            Tenant::new("acme", " ", "Acme").unwrap_err(),
            DomainError::Empty { field: "org id" }
        );
        assert_eq!(
            Tenant::new("acme", "42", "").unwrap_err(),
            DomainError::Empty {
                field: "company name"
            }
        );
    }
}
