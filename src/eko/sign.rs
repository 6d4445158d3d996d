//! Eko's per-request signature.
//!
//! For every request: `secret-key-timestamp` is the current time in
//! milliseconds since the Unix epoch, as decimal text, and
//! `secret-key = base64(HMAC-SHA256(key = base64(access_key) as text,
//! message = secret-key-timestamp))`. The HMAC key is the *base64 text* of the
//! access key, not its decoded bytes.

use crate::redact::Secret;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// Signs (and verifies) Eko requests with one access key.
///
/// The HMAC key schedule is computed once in [`Signer::new`]; each
/// signature clones that state, so signing costs one HMAC over a 13-byte
/// message.
#[derive(Clone)]
pub struct Signer {
    mac: HmacSha256,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signer([redacted])")
    }
}

/// The two signature headers of one request.
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    /// `secret-key-timestamp`: milliseconds since the epoch, as text.
    pub timestamp: String,
    /// `secret-key`.
    pub secret_key: Secret,
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signature")
            .field("timestamp", &self.timestamp)
            .field("secret_key", &self.secret_key)
            .finish()
    }
}

impl Signer {
    /// A signer for `access_key` (the Eko "access key", not the developer key).
    pub fn new(access_key: &Secret) -> Self {
        let key_text = STANDARD.encode(access_key.expose().as_bytes());
        let mac = HmacSha256::new_from_slice(key_text.as_bytes())
            .expect("HMAC-SHA256 accepts keys of any length");
        Signer { mac }
    }

    /// The signature headers for a request made at `timestamp_ms`.
    pub fn sign(&self, timestamp_ms: u64) -> Signature {
        let timestamp = timestamp_ms.to_string();
        let secret_key = Secret::new(self.secret_key(&timestamp));
        Signature {
            timestamp,
            secret_key,
        }
    }

    /// `secret-key` for a timestamp given as text.
    pub fn secret_key(&self, timestamp: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(timestamp.as_bytes());
        STANDARD.encode(mac.finalize().into_bytes())
    }

    /// Whether `secret_key` is the signature of `timestamp` (constant-time
    /// comparison of the MACs).
    pub fn verify(&self, timestamp: &str, secret_key: &str) -> bool {
        let Ok(given) = STANDARD.decode(secret_key.trim()) else {
            return false;
        };
        let mut mac = self.mac.clone();
        mac.update(timestamp.as_bytes());
        mac.verify_slice(&given).is_ok()
    }
}

/// One-shot form of [`Signer::secret_key`].
pub fn secret_key(access_key: &str, timestamp: &str) -> String {
    Signer::new(&Secret::new(access_key)).secret_key(timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        assert_eq!(
            secret_key("test-access-key-123", "1700000000000"),
            "88lqTf9ew69XbVbeczjxVL8/B4vibfp1MvTi1mIj2Xo="
        );
        assert_eq!(
            secret_key("TEST_ACCESS_KEY_DO_NOT_USE", "1700000000000"),
            "u30ak/iOGwKCaspqCeiYng8fd98QDx7kF3DBBOadQHk="
        );
    }

    #[test]
    fn known_wrong_variants_differ() {
        // Key and message swapped, and the raw access key used as HMAC key.
        let good = secret_key("test-access-key-123", "1700000000000");
        assert_ne!(good, "bz9MBeHJ14Jt4kShNdgKzPv4q4H+sMWXEqap4/owAtw=");
        assert_ne!(good, "5HzGdUHM86E+ShsoDWgBrkUKmZErN9ZJmokPaaZyvBE=");
    }

    #[test]
    fn sign_then_verify() {
        let s = Signer::new(&Secret::new("k"));
        let sig = s.sign(1_700_000_000_123);
        assert_eq!(sig.timestamp, "1700000000123");
        assert!(s.verify(&sig.timestamp, sig.secret_key.expose()));
        assert!(!s.verify("1700000000124", sig.secret_key.expose()));
        assert!(
            !Signer::new(&Secret::new("other")).verify(&sig.timestamp, sig.secret_key.expose())
        );
        assert!(!format!("{sig:?}").contains(sig.secret_key.expose()));
    }
}
