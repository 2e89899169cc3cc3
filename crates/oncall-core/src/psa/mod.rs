//! The PSA over HTTP: The One PSA's ticket API (docs/psa-contract.md §1) and N-central's PSA
//! integration API (§2).

mod config;
mod error;
mod http;
mod ncentral;
mod one_psa;

pub use config::{ConfigError, PsaConfig, check_url};
pub use error::PsaError;
pub use http::{MAX_RETRY_AFTER, retry_after};
pub use ncentral::{
    CustomPsaTicket, Discovery, NcentralClient, NcentralConfig, NcentralError, TokenExchange,
};
pub use one_psa::{CreatedTicket, Health, OnePsaClient, Ticket, TicketStatus};

#[cfg(test)]
pub(crate) use error::every_kind as every_psa_error;
#[cfg(test)]
pub(crate) use ncentral::every_error_kind as every_ncentral_error;
