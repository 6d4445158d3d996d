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
//! Each provider's session status becomes an [`Outcome`] through public
//! conversions, [`Outcome::from_sandbox`] and [`Outcome::from_eko`] (also
//! as `From` impls); their documentation has the table of how each state
//! maps. The flow uses the same conversions, so an application that calls
//! a provider facade directly gets the same answer as [`DigiLocker::status`].

mod client;
pub mod poll;
mod types;
pub mod xml;

pub use client::DigiLocker;
pub use poll::{PollPolicy, Progress, Settled, poll_until};
pub use types::{
    Address, DocType, Document, Outcome, Photo, Profile, ProviderName, RawDocument, RawProfile,
    Session, Verification,
};
