use std::{fmt, str::FromStr};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{DomainError, Severity, TenantId, text};

/// The local id of an incident: a small number a technician can type.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(transparent)]
pub struct IncidentId(pub i64);

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where an incident is in its life: new → acknowledged → resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Raised, nobody on it yet.
    New,
    /// A technician is on it; its PSA ticket exists or is on its way.
    Acknowledged,
    /// Done.
    Resolved,
}

impl Status {
    /// The lowercase name used in the CLI, the database and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Acknowledged => "acknowledged",
            Self::Resolved => "resolved",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::New, Self::Acknowledged, Self::Resolved]
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| DomainError::UnknownStatus(s.to_owned()))
    }
}

/// What Defend adds to a security incident; every field is optional because alerts vary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DefendDetails {
    /// The device's display name.
    pub device_name: Option<String>,
    /// The device's hostname.
    pub hostname: Option<String>,
    /// The MITRE ATT&CK technique id, e.g. `T1059.001`.
    pub mitre_technique_id: Option<String>,
    /// The MITRE ATT&CK technique name, e.g. `PowerShell`.
    pub mitre_technique_name: Option<String>,
    /// What Defend recommends doing.
    pub recommended_action: Option<String>,
}

impl DefendDetails {
    /// Whether any Defend field is filled in.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// The input for raising an incident, as typed or received from an alert.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct NewIncident {
    /// The tenant the incident belongs to.
    pub tenant_id: String,
    /// A one-line title, e.g. "CPU critical on client-server-01".
    pub title: String,
    /// Free text; may be empty.
    pub description: String,
    /// critical, high, medium or low.
    pub severity: String,
    /// Where the alert came from, e.g. "Monitoring: CPU check".
    pub alert_source: Option<String>,
    /// The triggering product, e.g. "RMM" or "Defend".
    pub product: Option<String>,
    /// The Defend block, for security incidents.
    pub defend: DefendDetails,
}

/// Longest title accepted, in bytes.
const TITLE_MAX: usize = 500;
/// Longest description accepted, in bytes.
const DESCRIPTION_MAX: usize = 64 * 1024;
/// Longest short field (names, hostnames, sources) accepted, in bytes.
const SHORT_MAX: usize = 255;

impl NewIncident {
    /// Checks and normalises the input into the fields of a new incident.
    pub fn validate(&self) -> Result<ValidIncident, DomainError> {
        let d = &self.defend;
        let opt = |field, v: &Option<String>| text::optional_line(field, v.as_deref(), SHORT_MAX);
        Ok(ValidIncident {
            tenant_id: TenantId::parse(self.tenant_id.trim())?,
            title: text::line("title", &self.title, TITLE_MAX)?,
            description: text::prose("description", &self.description, DESCRIPTION_MAX, false)?,
            severity: self.severity.parse()?,
            alert_source: opt("alert source", &self.alert_source)?,
            product: opt("product", &self.product)?,
            defend: DefendDetails {
                device_name: opt("device name", &d.device_name)?,
                hostname: opt("hostname", &d.hostname)?,
                mitre_technique_id: opt("MITRE technique id", &d.mitre_technique_id)?,
                mitre_technique_name: opt("MITRE technique name", &d.mitre_technique_name)?,
                recommended_action: text::prose(
                    "recommended action",
                    d.recommended_action.as_deref().unwrap_or(""),
                    DESCRIPTION_MAX,
                    false,
                )
                .map(|a| Some(a).filter(|a| !a.trim().is_empty()))?,
            },
        })
    }
}

/// A checked [`NewIncident`], ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidIncident {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The title, trimmed.
    pub title: String,
    /// The description, intact.
    pub description: String,
    /// The severity.
    pub severity: Severity,
    /// The alert source.
    pub alert_source: Option<String>,
    /// The triggering product.
    pub product: Option<String>,
    /// The Defend block.
    pub defend: DefendDetails,
}

/// An incident as stored locally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Incident {
    /// Local id.
    pub id: IncidentId,
    /// The tenant it belongs to.
    pub tenant_id: TenantId,
    /// One-line title.
    pub title: String,
    /// Free text.
    pub description: String,
    /// How bad it is.
    pub severity: Severity,
    /// Where it is in its life.
    pub status: Status,
    /// Where the alert came from.
    pub alert_source: Option<String>,
    /// The triggering product (RMM, Defend, ...).
    pub product: Option<String>,
    /// Defend's details, for security incidents.
    #[serde(flatten)]
    pub defend: DefendDetails,
    /// When it was raised.
    pub created_at: Timestamp,
    /// When it was acknowledged.
    pub acknowledged_at: Option<Timestamp>,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
    /// When it was resolved.
    pub resolved_at: Option<Timestamp>,
    /// Who resolved it.
    pub resolved_by: Option<String>,
    /// The closing note sent to the PSA.
    pub resolution_summary: Option<String>,
    /// The PSA ticket, once created or linked by hand.
    pub psa_ticket_id: Option<String>,
    /// Whether its notes and resolution go to the PSA: set when acknowledged with the PSA
    /// configured, or when a ticket is linked by hand.
    pub syncs_to_psa: bool,
}

/// Longest technician name accepted, in bytes.
pub(crate) const NAME_MAX: usize = 100;
/// Longest PSA ticket id accepted, in bytes.
const TICKET_ID_MAX: usize = 64;

impl Incident {
    /// Acknowledges the incident for `tech` at `now`. With `psa_configured`, its PSA ticket is to
    /// be created (the caller queues it); without, it stays local, as psa-contract.md §1.1 says.
    pub fn acknowledge(
        &mut self,
        tech: &str,
        now: Timestamp,
        psa_configured: bool,
    ) -> Result<(), DomainError> {
        let tech = text::line("technician", tech, NAME_MAX)?;
        match self.status {
            Status::Resolved => return Err(DomainError::AlreadyResolved(self.id)),
            Status::Acknowledged => {
                return Err(DomainError::AlreadyAcknowledged {
                    id: self.id,
                    by: self.acknowledged_by.clone().unwrap_or_default(),
                });
            }
            Status::New => {}
        }
        self.status = Status::Acknowledged;
        self.acknowledged_at = Some(now);
        self.acknowledged_by = Some(tech);
        self.syncs_to_psa |= psa_configured;
        Ok(())
    }

    /// Resolves the incident. It must have been acknowledged first: acknowledging is what opens
    /// the PSA ticket that billable time is logged against, so it is never skipped.
    pub fn resolve(
        &mut self,
        tech: &str,
        summary: Option<&str>,
        now: Timestamp,
    ) -> Result<(), DomainError> {
        let tech = text::line("technician", tech, NAME_MAX)?;
        let summary = match summary {
            Some(s) => Some(text::prose("summary", s, DESCRIPTION_MAX, false)?)
                .filter(|s| !s.trim().is_empty()),
            None => None,
        };
        match self.status {
            Status::New => return Err(DomainError::NotAcknowledged(self.id)),
            Status::Resolved => return Err(DomainError::AlreadyResolved(self.id)),
            Status::Acknowledged => {}
        }
        self.status = Status::Resolved;
        self.resolved_at = Some(now);
        self.resolved_by = Some(tech);
        self.resolution_summary = summary;
        Ok(())
    }

    /// Links an existing PSA ticket by hand; from now on notes and the resolution sync to it.
    pub fn link(&mut self, ticket_id: &str) -> Result<(), DomainError> {
        let ticket_id = text::line("PSA ticket id", ticket_id, TICKET_ID_MAX)?;
        if let Some(existing) = &self.psa_ticket_id {
            return Err(DomainError::AlreadyLinked {
                id: self.id,
                ticket: existing.clone(),
            });
        }
        self.psa_ticket_id = Some(ticket_id);
        self.syncs_to_psa = true;
        Ok(())
    }

    /// Whether a note written now was written after acknowledgement.
    pub fn is_acknowledged(&self) -> bool {
        self.status != Status::New
    }

    /// Whether a note written now must go to the PSA ticket.
    pub fn note_goes_to_psa(&self) -> bool {
        self.is_acknowledged() && self.syncs_to_psa
    }
}

/// A new critical incident of tenant `acme`, for tests.
#[cfg(test)]
pub(crate) fn sample_incident() -> Incident {
    let v = NewIncident {
        tenant_id: "acme".into(),
        title: "CPU critical on client-server-01".into(),
        severity: "critical".into(),
        ..Default::default()
    }
    .validate()
    .expect("valid");
    Incident {
        id: IncidentId(7),
        tenant_id: v.tenant_id,
        title: v.title,
        description: v.description,
        severity: v.severity,
        status: Status::New,
        alert_source: None,
        product: None,
        defend: DefendDetails::default(),
        created_at: Timestamp::UNIX_EPOCH,
        acknowledged_at: None,
        acknowledged_by: None,
        resolved_at: None,
        resolved_by: None,
        resolution_summary: None,
        psa_ticket_id: None,
        syncs_to_psa: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident() -> Incident {
        sample_incident()
    }

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(secs).expect("in range")
    }

    #[test]
    fn the_happy_path_records_who_and_when() {
        let mut i = incident();
        i.acknowledge(" Dana ", at(10), true).expect("ack");
        assert_eq!(i.status, Status::Acknowledged);
        assert_eq!(i.acknowledged_by.as_deref(), Some("Dana"));
        assert_eq!(i.acknowledged_at, Some(at(10)));
        assert!(i.note_goes_to_psa());
        i.resolve("Lee", Some("Rebooted"), at(20)).expect("resolve");
        assert_eq!(i.status, Status::Resolved);
        assert_eq!(i.resolved_by.as_deref(), Some("Lee"));
        assert_eq!(i.resolution_summary.as_deref(), Some("Rebooted"));
    }

    #[test]
    fn acknowledging_without_a_psa_keeps_the_incident_local() {
        let mut i = incident();
        i.acknowledge("Dana", at(10), false).expect("ack");
        assert!(i.is_acknowledged());
        assert!(!i.note_goes_to_psa());
    }

    #[test]
    fn transitions_out_of_order_are_refused_and_change_nothing() {
        let mut i = incident();
        assert_eq!(
            i.resolve("Lee", None, at(5)),
            Err(DomainError::NotAcknowledged(i.id))
        );
        assert_eq!(i, incident());
        i.acknowledge("Dana", at(10), true).expect("ack");
        let acked = i.clone();
        assert_eq!(
            i.acknowledge("Lee", at(11), true),
            Err(DomainError::AlreadyAcknowledged {
                id: i.id,
                by: "Dana".into()
            })
        );
        assert_eq!(i, acked);
        i.resolve("Lee", None, at(20)).expect("resolve");
        let resolved = i.clone();
        assert_eq!(
            i.acknowledge("Lee", at(21), true),
            Err(DomainError::AlreadyResolved(i.id))
        );
        assert_eq!(
            i.resolve("Lee", None, at(21)),
            Err(DomainError::AlreadyResolved(i.id))
        );
        assert_eq!(i, resolved);
    }

    #[test]
    fn a_blank_technician_is_refused() {
        let mut i = incident();
        assert_eq!(
            i.acknowledge("  ", at(1), true),
            Err(DomainError::Empty {
                field: "technician"
            })
        );
        assert_eq!(i.status, Status::New);
    }

    #[test]
    fn linking_twice_is_refused() {
        let mut i = incident();
        i.link("T-1").expect("link");
        assert!(i.syncs_to_psa);
        assert_eq!(
            i.link("T-2"),
            Err(DomainError::AlreadyLinked {
                id: i.id,
                ticket: "T-1".into()
            })
        );
    }

    #[test]
    fn validation_names_the_field_at_fault() {
        let base = NewIncident {
            tenant_id: "acme".into(),
            title: "t".into(),
            severity: "low".into(),
            ..Default::default()
        };
        let mut e = base.clone();
        e.title = " ".into();
        assert_eq!(
            e.validate().unwrap_err(),
            DomainError::Empty { field: "title" }
        );
        let mut e = base.clone();
        e.severity = "sev1".into();
        assert_eq!(
            e.validate().unwrap_err(),
            DomainError::UnknownSeverity("sev1".into())
        );
        let mut e = base.clone();
        e.description = "a\0b".into();
        assert!(matches!(
            e.validate().unwrap_err(),
            DomainError::ControlCharacter {
                field: "description",
                ..
            }
        ));
        let mut e = base;
        e.defend.hostname = Some("   ".into());
        assert_eq!(e.validate().expect("blank is absent").defend.hostname, None);
    }
}
