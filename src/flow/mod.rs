//! Provider-neutral DigiLocker flow.

pub mod poll;

pub use poll::{PollPolicy, Progress, Settled, poll_until};
pub mod xml;
