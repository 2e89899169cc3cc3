//! The mapping from an incident to The One PSA's ticket, note and resolution requests
//! (docs/psa-contract.md §1.1).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Incident, Note, Priority, Tenant, TenantId};

/// The ticket source every auto-created ticket carries.
pub const SOURCE: &str = "On-Call Auto";

/// `POST /api/v1/tickets`: the ticket created when an incident is acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketRequest {
    /// The incident's title.
    pub title: String,
    /// The incident's description with alert source, product and the Defend block.
    pub description: String,
    /// Always [`SOURCE`].
    pub source: String,
    /// From the severity.
    pub priority: Priority,
    /// The tenant, which the PSA maps to the client company.
    pub tenant_id: TenantId,
    /// The tenant's org id, which the PSA uses for the company look-up.
    pub org_id: String,
    /// The acknowledging technician.
    pub assigned_tech: String,
    /// The incident's creation time.
    pub created_at: Timestamp,
    /// The local incident id.
    pub external_ref: String,
}

/// `POST /api/v1/tickets/{id}/notes`: a note written after acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteRequest {
    /// The note, byte for byte.
    pub body: String,
    /// Always true: technician notes are internal.
    pub internal: bool,
    /// Who wrote it.
    pub author: String,
    /// When it was written.
    pub created_at: Timestamp,
    /// The local note id.
    pub external_ref: String,
}

/// `POST /api/v1/tickets/{id}/resolution`: the incident's resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolutionRequest {
    /// When it was resolved.
    pub resolved_at: Timestamp,
    /// The resolving technician.
    pub resolved_by: String,
    /// The closing note, if one was written.
    pub summary: Option<String>,
}

impl TicketRequest {
    /// The ticket for an acknowledged incident of `tenant`; `None` before acknowledgement.
    pub fn for_incident(incident: &Incident, tenant: &Tenant) -> Option<Self> {
        Some(Self {
            title: incident.title.clone(),
            description: ticket_description(incident),
            source: SOURCE.to_owned(),
            priority: incident.severity.priority(),
            tenant_id: tenant.id.clone(),
            org_id: tenant.org_id.clone(),
            assigned_tech: incident.acknowledged_by.clone()?,
            created_at: incident.created_at,
            external_ref: incident.id.to_string(),
        })
    }
}

impl NoteRequest {
    /// The internal note for `note`.
    pub fn for_note(note: &Note) -> Self {
        Self {
            body: note.body.clone(),
            internal: true,
            author: note.author.clone(),
            created_at: note.created_at,
            external_ref: note.id.to_string(),
        }
    }
}

impl ResolutionRequest {
    /// The resolution of a resolved incident; `None` before it is resolved.
    pub fn for_incident(incident: &Incident) -> Option<Self> {
        Some(Self {
            resolved_at: incident.resolved_at?,
            resolved_by: incident.resolved_by.clone()?,
            summary: incident.resolution_summary.clone(),
        })
    }
}

/// The ticket description: the incident's description, then its alert source and triggering
/// product, then for Defend incidents the device, hostname, MITRE technique and recommended action.
pub fn ticket_description(incident: &Incident) -> String {
    let mut lines: Vec<String> = Vec::new();
    if !incident.description.trim().is_empty() {
        lines.push(incident.description.clone());
        lines.push(String::new());
    }
    let or_unknown = |v: &Option<String>| v.clone().unwrap_or_else(|| "not recorded".to_owned());
    lines.push(format!(
        "Alert source: {}",
        or_unknown(&incident.alert_source)
    ));
    lines.push(format!(
        "Triggering product: {}",
        or_unknown(&incident.product)
    ));
    let d = &incident.defend;
    let is_defend = incident
        .product
        .as_deref()
        .is_some_and(|p| p.eq_ignore_ascii_case("defend"))
        || !d.is_empty();
    if is_defend {
        lines.push(String::new());
        lines.push("Defend details".to_owned());
        lines.push(format!("Device name: {}", or_unknown(&d.device_name)));
        lines.push(format!("Hostname: {}", or_unknown(&d.hostname)));
        let technique = match (&d.mitre_technique_id, &d.mitre_technique_name) {
            (Some(id), Some(name)) => format!("{id} {name}"),
            (Some(one), None) | (None, Some(one)) => one.clone(),
            (None, None) => "not recorded".to_owned(),
        };
        lines.push(format!("MITRE technique: {technique}"));
        lines.push(format!(
            "Recommended action: {}",
            or_unknown(&d.recommended_action)
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::{DefendDetails, NoteId, Severity, sample_incident};

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(secs).expect("in range")
    }

    fn tenant() -> Tenant {
        Tenant::new("acme", "org-42", "ACME Corp").expect("valid")
    }

    #[test]
    fn every_ticket_field_is_filled() {
        let mut i = sample_incident();
        i.description = "Load above 95% for 10 minutes".into();
        i.alert_source = Some("CPU monitor".into());
        i.product = Some("RMM".into());
        i.created_at = at(1_700_000_000);
        i.acknowledge("Dana", at(1_700_000_100), true).expect("ack");
        let t = TicketRequest::for_incident(&i, &tenant()).expect("acknowledged");
        assert_eq!(t.title, "CPU critical on client-server-01");
        assert_eq!(
            t.description,
            "Load above 95% for 10 minutes\n\nAlert source: CPU monitor\nTriggering product: RMM"
        );
        assert_eq!(t.source, "On-Call Auto");
        assert_eq!(t.priority, Priority::P1);
        assert_eq!(t.tenant_id.as_str(), "acme");
        assert_eq!(t.org_id, "org-42");
        assert_eq!(t.assigned_tech, "Dana");
        assert_eq!(t.created_at, at(1_700_000_000));
        assert_eq!(t.external_ref, "7");
    }

    #[test]
    fn each_severity_maps_to_its_priority() {
        for (sev, p) in Severity::ALL.into_iter().zip(["P1", "P2", "P3", "P4"]) {
            let mut i = sample_incident();
            i.severity = sev;
            i.acknowledge("Dana", at(1), true).expect("ack");
            let t = TicketRequest::for_incident(&i, &tenant()).expect("acknowledged");
            assert_eq!(t.priority.to_string(), p);
            let json = serde_json::to_value(&t).expect("json");
            assert_eq!(json["priority"], p);
        }
    }

    #[test]
    fn defend_incidents_carry_the_defend_block() {
        let mut i = sample_incident();
        i.product = Some("Defend".into());
        i.alert_source = Some("EDR".into());
        i.defend = DefendDetails {
            device_name: Some("FIN-LAPTOP-7".into()),
            hostname: Some("fin-laptop-7.acme.local".into()),
            mitre_technique_id: Some("T1059.001".into()),
            mitre_technique_name: Some("PowerShell".into()),
            recommended_action: Some("Isolate the device".into()),
        };
        assert_eq!(
            ticket_description(&i),
            "Alert source: EDR\nTriggering product: Defend\n\nDefend details\n\
             Device name: FIN-LAPTOP-7\nHostname: fin-laptop-7.acme.local\n\
             MITRE technique: T1059.001 PowerShell\nRecommended action: Isolate the device"
        );
    }

    #[test]
    fn non_defend_incidents_have_no_defend_block() {
        let mut i = sample_incident();
        i.product = Some("RMM".into());
        assert!(!ticket_description(&i).contains("Defend details"));
    }

    #[test]
    fn no_ticket_before_acknowledgement_and_no_resolution_before_resolving() {
        let i = sample_incident();
        assert_eq!(TicketRequest::for_incident(&i, &tenant()), None);
        assert_eq!(ResolutionRequest::for_incident(&i), None);
    }

    #[test]
    fn notes_go_out_internal_with_their_author_and_time() {
        let note = Note {
            id: NoteId(3),
            incident_id: sample_incident().id,
            author: "Dana".into(),
            body: "Checked event log".into(),
            created_at: at(5),
            after_ack: true,
            psa_note_id: None,
        };
        let n = NoteRequest::for_note(&note);
        assert!(n.internal);
        assert_eq!(
            (
                n.body.as_str(),
                n.author.as_str(),
                n.created_at,
                n.external_ref.as_str()
            ),
            ("Checked event log", "Dana", at(5), "3")
        );
    }

    proptest! {
        #[test]
        fn the_description_always_starts_with_the_incidents_and_names_source_and_product(
            desc in "\\PC{1,80}", source in "[a-zA-Z ]{1,20}", product in "[a-zA-Z]{1,10}"
        ) {
            prop_assume!(!desc.trim().is_empty());
            let mut i = sample_incident();
            i.description = desc.clone();
            i.alert_source = Some(source.clone());
            i.product = Some(product.clone());
            let d = ticket_description(&i);
            prop_assert!(d.starts_with(&desc));
            let source_line = format!("\nAlert source: {source}\n");
            let product_line = format!("\nTriggering product: {product}");
            prop_assert!(d.contains(&source_line));
            prop_assert!(d.contains(&product_line));
        }
    }
}
