//! Eko DigiLocker facade.
//!
//! ```no_run
//! # async fn demo(incoming_url: &str) -> digilocker_kyc::Result<()> {
//! use digilocker_kyc::eko::{CreateUrl, EkoCallback, EkoClient, EkoDocType};
//!
//! let eko = EkoClient::from_env()?;
//! let link = eko.create_url(CreateUrl::aadhaar("https://app.example/kyc/done")?).await?;
//! // Send the user to link.url; DigiLocker redirects them back to
//! // https://app.example/kyc/done?verification_id=..&reference_id=..
//! let cb = EkoCallback::from_url(incoming_url)?;
//! let status = eko.status(&link.reference_id).await?;
//! if status.state.is_final() {
//!     let docs = eko
//!         .document(&link.reference_id, &cb.verification_id, [EkoDocType::Aadhaar])
//!         .await?;
//!     println!("{:?}", docs.aadhaar());
//! }
//! # Ok(()) }
//! ```
//!
//! # Configuration
//!
//! [`EkoClient::builder`] or [`EkoClient::from_env`], which reads
//!
//! | variable | |
//! |---|---|
//! | `EKO_DEVELOPER_KEY` | required: the static `developer_key` |
//! | `EKO_ACCESS_KEY` | required: the access key that signs requests |
//! | `EKO_INITIATOR_ID` | required: registered mobile number of the API user |
//! | `EKO_USER_CODE` | optional: `user_code`, sent on Create URL and Get Document |
//! | `EKO_BASE_URL` | optional: a URL, or `uat` / `production`; UAT when unset |
//!
//! # Signing
//!
//! Every attempt (first try and each retry) reads the clock and sends a fresh
//! `secret-key-timestamp` and `secret-key` (see [`sign`]), with
//! `developer_key` and `content-type: application/json`.
//!
//! # Errors and outcomes
//!
//! - HTTP 200 with `status != 0` -> [`Error::Provider`](crate::Error::Provider)
//!   carrying `status` (as `code`), `response_status_id`, `response_type_id`,
//!   the message and `invalid_params`, except for the outcomes below;
//! - HTTP 401/403 (JSON or HTML body) -> [`Error::Auth`](crate::Error::Auth)
//!   (wrong keys, clock skew or an IP that is not whitelisted);
//! - HTTP 429 -> [`Error::RateLimited`](crate::Error::RateLimited) once
//!   retries are spent; other statuses -> `Error::Provider`.
//!
//! **Pending heuristic.** Eko publishes no DigiLocker-specific codes, so
//! "the user has not finished" is recognised from any of:
//! `status` or `response_status_id` 327 ("Verification pending");
//! "pending" (any case) in `message`; an upstream `status` or
//! `verification_status` of `PENDING`; and, for status only, a success
//! envelope whose `user_details` is missing or empty; for documents, a
//! success envelope with no document in either shape.
//!
//! - [`EkoClient::status`] returns the state in [`EkoStatus::state`]:
//!   [`VerificationState::Pending`] as above; `Expired` / `Denied` from the
//!   upstream `status` (`EXPIRED`, `CONSENT_DENIED`) or from a non-zero
//!   envelope whose message says "expired" / "denied"; `Denied` also when
//!   every consent entry is an explicit "N"; `Consented` when a success
//!   envelope carries user details (or upstream `AUTHENTICATED`); other
//!   upstream words are `Unknown(word)`. Any other non-zero envelope is an
//!   error.
//! - [`EkoClient::document`] returns the documents, or
//!   [`Error::NotReady`](crate::Error::NotReady) with
//!   [`NotReadyReason::Pending`](crate::NotReadyReason::Pending) (pending) or
//!   `ConsentMissing` ("denied" in the message).
//!
//! # Retries
//!
//! Only the GET status call is repeated after it may have reached Eko (on
//! 429, 500, 502, 503, 504, timeouts and broken connections, honouring
//! `Retry-After`); Create URL and Get Document are repeated only when the
//! connection could not be made at all.

mod callback;
pub(crate) mod client;
mod config;
pub(crate) mod envelope;
pub(crate) mod requests;
mod runtime;
pub mod sign;
mod types;

pub use callback::EkoCallback;
pub use client::EkoClient;
pub use config::{
    Clock, ENV_ACCESS_KEY, ENV_BASE_URL, ENV_DEVELOPER_KEY, ENV_INITIATOR_ID, ENV_USER_CODE,
    EkoClientBuilder, EkoEnvironment, PRODUCTION_BASE_URL, UAT_BASE_URL, system_clock,
};
pub use requests::{
    CLIENT_REF_ID_MAX, CreateUrl, DocumentRequest, StatusRequest, generate_client_ref_id,
};
pub use runtime::Runtime;
pub use sign::{Signature, Signer};
pub use types::{
    ConsentEntry, Dob, DocumentShape, EkoAddress, EkoDocType, EkoDocument, EkoDocuments, EkoLink,
    EkoStatus, Photo, ReferenceId, UserDetails, VerificationState,
};
