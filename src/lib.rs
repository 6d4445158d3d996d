//! DigiLocker KYC through the Sandbox and Eko aggregator APIs.
#![warn(missing_docs)]

pub mod generated;
pub mod spec;
