//! The provider-neutral DigiLocker flow.
//!
//! [`DigiLocker`] wraps a [`SandboxClient`](crate::SandboxClient) or an
//! [`EkoClient`](crate::EkoClient) behind one vocabulary:
//!
//! | step | call | result |
//! |---|---|---|
//! | start | [`DigiLocker::start`] | [`Session`] `{ provider, id, authorization_url }` |
//! | poll once | [`DigiLocker::status`] | [`Outcome`] |
//! | wait | [`DigiLocker::wait`] / [`DigiLocker::wait_with_progress`] | [`Outcome`] under a [`PollPolicy`] |
//! | documents | [`DigiLocker::documents`] | `Vec<`[`Document`]`>` |
//! | profile | [`DigiLocker::profile`] | [`Profile`] |
//!
//! How each provider's states map to [`Outcome`]:
//!
//! | Outcome | Sandbox `status` | Eko |
//! |---|---|---|
//! | `Pending` | `created`, `initialized`, `authorized` | pending (empty `user_details`, `PENDING`, code 327) |
//! | `Succeeded` | `succeeded` (+ `documents_consented`) | consented (`user_details` present, `AUTHENTICATED`) |
//! | `Failed` | `failed` | an unknown upstream word saying failure |
//! | `Expired` | `expired` | `EXPIRED` |
//! | `Denied` | (not reported: Sandbox shows a refusal as `failed`) | `CONSENT_DENIED` |
//!
//! Unknown values from a newer provider API count as `Pending` unless they
//! say failure, so a wait never ends early on a word it does not know; the
//! policy's limits still bound it.

mod client;
pub mod poll;
mod types;
pub mod xml;

pub use client::DigiLocker;
pub use poll::{PollPolicy, Progress, Settled, poll_until};
pub use types::{
    DocType, Document, Outcome, Photo, Profile, RawDocument, RawProfile, Session, Verification,
};
