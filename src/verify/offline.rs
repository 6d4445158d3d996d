//! UIDAI Paperless Offline e-KYC: the salted, repeated mobile/email hashes.
//!
//! Rule, from UIDAI's own FAQ ("How will service providers use Aadhaar
//! offline e-KYC"): `Sha256(Sha256(Mobile+ShareCode))*n` where n is the last
//! digit of the Aadhaar number, and "in case of Aadhaar number ends with Zero
//! or 1, it will be hashed one time". We read that as: SHA-256 applied
//! `max(n, 1)` times in total, the first time over `value + share_code`,
//! each later time over the previous lowercase hex digest. The FAQ's own
//! example (last digit 2, `Sha256(Sha256(...))`) is two applications, which
//! is why we do not hash n+1 times as some integrators do. The last digit is
//! the 4th character of `referenceId`. The test vectors below were computed
//! independently from this rule (Python's hashlib).

use sha2::{Digest, Sha256};

/// The hash UIDAI stores for `value` (mobile number or email) with this
/// share code, for an Aadhaar number ending in `last_digit`.
pub fn contact_hash(value: &str, share_code: &str, last_digit: u8) -> String {
    let mut x = format!("{value}{share_code}").into_bytes();
    for _ in 0..last_digit.max(1) {
        x = super::hex(&Sha256::digest(&x)).into_bytes();
    }
    String::from_utf8(x).unwrap_or_default()
}

/// The last Aadhaar digit from an offline e-KYC `referenceId` (its 4th
/// character).
pub fn last_digit(reference_id: &str) -> Option<u8> {
    reference_id.chars().nth(3)?.to_digit(10).map(|d| d as u8)
}

/// Does `value` match `expected_hex` (from `Poi@m` or `Poi@e`)?
pub fn contact_matches(
    value: &str,
    share_code: &str,
    reference_id: &str,
    expected_hex: &str,
) -> bool {
    last_digit(reference_id).is_some_and(|d| {
        contact_hash(value, share_code, d).eq_ignore_ascii_case(expected_hex.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_from_the_uidai_rule() {
        assert_eq!(
            contact_hash("1234567890", "Lock@487", 2),
            "f7250dc9e61759253bb741efbae306311632049154da7286e20b047bf3421a8f"
        );
        let once = "421ca33965ec6b4562c2cd1e94e8cca400c2ac85174058478fed8434b5ec1acb";
        assert_eq!(contact_hash("9876543210", "1234", 0), once);
        assert_eq!(contact_hash("9876543210", "1234", 1), once);
        assert_eq!(
            contact_hash("9876543210", "1234", 9),
            "aea7042f3d52dd007576279f66eb00fb887d26aec43873ff15091cd2519643d4"
        );
        assert!(contact_matches(
            "9876543210",
            "1234",
            "012920250101101010123",
            &contact_hash("9876543210", "1234", 9)
        ));
        assert!(!contact_matches("9876543211", "1234", "0129", once));
    }
}
