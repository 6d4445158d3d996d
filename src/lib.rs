//! DigiLocker KYC through the Sandbox and Eko aggregator APIs.
//!
//! A whole journey through [`flow::DigiLocker`], the provider-neutral entry
//! point: build a client from the environment, start a session, send the user
//! to the consent link, wait for the outcome, read the documents.
//!
//! ```no_run
//! use digilocker_kyc::flow::{DigiLocker, DocType, PollPolicy};
//! use digilocker_kyc::sandbox::SandboxClient;
//!
//! # async fn journey() -> digilocker_kyc::Result<()> {
//! // SANDBOX_API_KEY and SANDBOX_API_SECRET set; or DigiLocker::eko(EkoClient::from_env()?)
//! let kyc = DigiLocker::sandbox(SandboxClient::from_env()?);
//! let session = kyc.start([DocType::Aadhaar], "https://app.example/kyc/done").await?;
//! println!("send the user to {}", session.authorization_url);
//! if kyc.wait(&session, &PollPolicy::default()).await?.is_success() {
//!     for doc in kyc.documents(&session).await? {
//!         println!("{}: {:?} {:?}", doc.kind, doc.name, doc.masked_id);
//!     }
//!     let profile = kyc.profile(&session).await?;
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Every failure is one typed, printable [`Error`]; personal data in it is
//! masked.
//!
//! Beyond the flow:
//! - the facades, [`sandbox::SandboxClient`] and [`eko::EkoClient`]: every
//!   provider operation with auth, validation before sending, typed errors
//!   and retries;
//! - [`verify`]: proof that a downloaded document came from its issuer
//!   (its XMLDSig signature checked against trust anchors you configure),
//!   with an evidence record to keep;
//! - `simulator` (feature `simulator`): an offline, stateful mock of both
//!   providers on a loopback port, for tests and local development;
//! - [`generated`]: the low-level clients generated at build time by
//!   progenitor from the specs in `openapi/`, faithful to the provider docs;
//!
//! The spec pipeline `build.rs` runs, and the maintainer tools behind
//! `digilocker spec`, are the `digilocker-spec` crate (`spec-tools/`); the
//! `digilocker` command-line tool is the `digilocker-cli` package (`cli/`).
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

mod download;
pub mod eko;
pub mod error;
pub mod flow;
#[doc(hidden)]
pub mod fuzzing;
pub mod generated;
pub mod http;
pub mod redact;
pub mod retry;
mod runtime;
pub mod sandbox;
#[cfg(feature = "simulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "simulator")))]
pub mod simulator;
pub mod verify;
pub mod vocab;

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

// Every `rust` block of the README is a doctest, so a README snippet that
// stops compiling fails `cargo test`. Its simulator block needs the feature.
#[cfg(all(doctest, feature = "simulator"))]
#[doc = include_str!("../README.md")]
mod readme_doctests {}
