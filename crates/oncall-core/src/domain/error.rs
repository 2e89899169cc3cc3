use super::incident::IncidentId;

/// Why a user action or a piece of input was refused by the domain's rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A required text field was empty or only whitespace.
    #[error("{field} must not be empty")]
    Empty {
        /// The field at fault.
        field: &'static str,
    },
    /// A text field was longer than allowed.
    #[error("{field} is {len} bytes long; the limit is {max} bytes")]
    TooLong {
        /// The field at fault.
        field: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// A text field contained a character that cannot be stored or sent safely.
    #[error("{field} contains a control character ({found}) that cannot be sent to the PSA")]
    ControlCharacter {
        /// The field at fault.
        field: &'static str,
        /// The offending character, escaped.
        found: String,
    },
    /// A severity other than critical, high, medium or low.
    #[error("unknown severity '{0}': use critical, high, medium or low")]
    UnknownSeverity(String),
    /// A status other than new, acknowledged or resolved.
    #[error("unknown status '{0}': use new, acknowledged or resolved")]
    UnknownStatus(String),
    /// A tenant id with characters outside `A-Z a-z 0-9 . _ -`.
    #[error("tenant id '{0}' may only use letters, digits, '.', '_' and '-' (at most 64)")]
    InvalidTenantId(String),
    /// Acknowledging an incident that is already acknowledged.
    #[error("incident {id} was already acknowledged by {by}")]
    AlreadyAcknowledged {
        /// The incident.
        id: IncidentId,
        /// Who acknowledged it.
        by: String,
    },
    /// Acknowledging or resolving an incident that is resolved.
    #[error("incident {0} is already resolved")]
    AlreadyResolved(IncidentId),
    /// Resolving an incident nobody acknowledged.
    #[error(
        "incident {0} is not acknowledged yet: acknowledge it first (that creates its PSA ticket)"
    )]
    NotAcknowledged(IncidentId),
    /// Linking an incident that already has a PSA ticket.
    #[error("incident {id} is already linked to PSA ticket {ticket}")]
    AlreadyLinked {
        /// The incident.
        id: IncidentId,
        /// The ticket it is linked to.
        ticket: String,
    },
    /// Starting a timer that is already running.
    #[error("{tech}'s timer on incident {id} is already running")]
    TimerRunning {
        /// The incident.
        id: IncidentId,
        /// The technician.
        tech: String,
    },
    /// Pausing a timer that is not running, or stopping one that does not exist.
    #[error("{tech} has no {what} on incident {id}")]
    NoTimer {
        /// The incident.
        id: IncidentId,
        /// The technician.
        tech: String,
        /// "running timer" or "timer".
        what: &'static str,
    },
    /// A time entry's minutes out of range.
    #[error("minutes must be a whole number from 1 to {max} (got {got})")]
    BadMinutes {
        /// What was given.
        got: i64,
        /// The largest accepted.
        max: i64,
    },
    /// A time entry that would start or end in the future.
    #[error("a time entry cannot {what} in the future ({at}); work is logged once done")]
    InTheFuture {
        /// "start" or "end".
        what: &'static str,
        /// When.
        at: String,
    },
    /// Working on an incident that is resolved.
    #[error("incident {0} is resolved: its timers are stopped, so time worked is added by hand")]
    ResolvedIncidentTimer(IncidentId),
}
