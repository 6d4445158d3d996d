//! DigiLocker KYC through the Sandbox and Eko aggregator APIs.
//!
//! Layers, from the wire up:
//! - [`generated`]: clients generated at build time by progenitor from the
//!   specs in `openapi/` (low level, faithful to the provider docs);
//! - the facades ([`sandbox`], [`eko`]): auth, validation before sending, typed
//!   errors, retries;
//! - [`spec`]: the spec preparation pipeline shared with `build.rs`;
//! - `simulator` (feature `simulator`): an offline, stateful mock of both
//!   providers for tests and local development.
#![warn(missing_docs)]
// `Error` carries the provider's whole envelope by value so that callers can
// match on it directly; errors are not on a hot path, so its size is accepted.
#![allow(clippy::result_large_err)]

pub mod eko;
pub mod error;
pub mod flow;
#[doc(hidden)]
pub mod fuzzing;
pub mod generated;
pub mod http;
pub mod redact;
pub mod retry;
pub mod sandbox;
#[cfg(feature = "simulator")]
pub mod simulator;
pub mod spec;
pub mod verify;

pub use eko::{
    CreateUrl, EkoCallback, EkoClient, EkoClientBuilder, EkoDocType, EkoDocument, EkoDocuments,
    EkoLink, EkoStatus, VerificationState,
};
pub use error::{Error, NotReadyReason, Provider, ProviderError, Result, TransportKind};
pub use flow::{DigiLocker, Outcome, PollPolicy};
pub use http::HttpSettings;
pub use redact::{Masked, Secret};
pub use retry::RetryPolicy;
pub use sandbox::{SandboxClient, SandboxClientBuilder};
