//! Eko DigiLocker facade.

pub mod sign;

pub use sign::{Signature, Signer};
