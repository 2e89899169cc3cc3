//! The PSA over HTTP: The One PSA's ticket API (§1 of the wire contract).

mod config;
mod error;
mod one_psa;

pub use config::{ConfigError, PsaConfig};
pub use error::PsaError;
pub use one_psa::{CreatedTicket, Health, OnePsaClient, Ticket, TicketStatus};
