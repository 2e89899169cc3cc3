use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use super::DomainError;

/// How bad an incident is, as the alerting product rated it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Service down or security breach in progress.
    Critical,
    /// Serious degradation.
    High,
    /// Needs attention soon.
    Medium,
    /// Informational or minor.
    Low,
}

/// A PSA ticket priority, P1 (most urgent) to P4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Priority {
    /// From a critical incident.
    P1,
    /// From a high incident.
    P2,
    /// From a medium incident.
    P3,
    /// From a low incident.
    P4,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL: [Severity; 4] = [Self::Critical, Self::High, Self::Medium, Self::Low];

    /// The lowercase name used in the CLI, the database and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }

    /// The PSA priority (psa-contract.md §1.1): critical→P1, high→P2, medium→P3, low→P4.
    pub fn priority(self) -> Priority {
        match self {
            Self::Critical => Priority::P1,
            Self::High => Priority::P2,
            Self::Medium => Priority::P3,
            Self::Low => Priority::P4,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| DomainError::UnknownSeverity(s.to_owned()))
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_follow_the_contract() {
        let got: Vec<String> = Severity::ALL
            .iter()
            .map(|s| format!("{s}->{}", s.priority()))
            .collect();
        assert_eq!(got, ["critical->P1", "high->P2", "medium->P3", "low->P4"]);
    }

    #[test]
    fn parsing_ignores_case_and_refuses_unknown_names() {
        assert_eq!("CRITICAL".parse::<Severity>(), Ok(Severity::Critical));
        assert_eq!(" low ".parse::<Severity>(), Ok(Severity::Low));
        assert_eq!(
            "urgent".parse::<Severity>(),
            Err(DomainError::UnknownSeverity("urgent".into()))
        );
    }
}
