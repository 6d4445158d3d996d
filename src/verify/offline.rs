//! UIDAI Paperless Offline e-KYC: opening the share-code ZIP, and the
//! salted, repeated mobile hash and the plain email hash.
//!
//! Mobile rule, from UIDAI's own FAQ ("How will service providers use
//! Aadhaar offline e-KYC"): `Sha256(Sha256(Mobile+ShareCode))*n` where n is
//! the last digit of the Aadhaar number, and "in case of Aadhaar number ends
//! with Zero or 1, it will be hashed one time". We read that as: SHA-256
//! applied `max(n, 1)` times in total, the first time over
//! `value + share_code`, each later time over the previous lowercase hex
//! digest. The FAQ's own example (last digit 2, `Sha256(Sha256(...))`) is
//! two applications, which is why we do not hash n+1 times as some
//! integrators do. The last digit is the 4th character of `referenceId`. The
//! test vectors below were computed independently from this rule (Python's
//! hashlib).
//!
//! Email rule, from the same FAQ: "a simple SHA256 hash of the email without
//! any salt" (one application, lowercase hex compared case-insensitively).

use super::{TrustAnchors, VerifiedDocument, VerifyError, VerifyPolicy};
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::Read as _;

/// The mobile hash UIDAI stores for `value` with this share code, for an
/// Aadhaar number ending in `last_digit`.
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

/// The email hash UIDAI stores: SHA-256 of the address, no salt (hex).
pub fn email_hash(email: &str) -> String {
    super::hex(&Sha256::digest(email.as_bytes()))
}

/// Does the mobile number `value` match `expected_hex` (from `Poi@m`)?
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

/// Which contact detail to check against the signed hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Contact {
    /// The mobile number (`Poi@m`, salted with the share code).
    Mobile,
    /// The email address (`Poi@e`, plain SHA-256).
    Email,
}

/// A verified offline e-KYC document, with what is needed to check a
/// mobile number or email the resident gives against its signed hashes.
/// `Debug` shows neither the share code nor the reference id.
#[derive(Clone)]
#[non_exhaustive]
pub struct VerifiedOffline {
    /// The verified document (profile [`super::Profile::OfflineEkyc`]).
    pub document: VerifiedDocument,
    reference_id: String,
    share_code: String,
}

impl fmt::Debug for VerifiedOffline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedOffline")
            .field("document", &self.document)
            .finish_non_exhaustive()
    }
}

impl VerifiedOffline {
    /// The signed `referenceId` (last four Aadhaar digits and a timestamp).
    pub fn reference_id(&self) -> &str {
        &self.reference_id
    }

    /// Does `value` match the signed hash of this contact? `None` when the
    /// document carries no hash for it (the resident registered none).
    pub fn contact_matches(&self, contact: Contact, value: &str) -> Option<bool> {
        let f = &self.document.fields;
        match contact {
            Contact::Mobile => f
                .mobile_hash
                .as_deref()
                .map(|h| contact_matches(value, &self.share_code, &self.reference_id, h)),
            Contact::Email => f
                .email_hash
                .as_deref()
                .map(|h| email_hash(value).eq_ignore_ascii_case(h.trim())),
        }
    }
}

/// Room for ZIP headers beyond the policy's document bound.
const ARCHIVE_OVERHEAD: usize = 64 * 1024;

/// Open a UIDAI Paperless Offline e-KYC ZIP with the resident's share code
/// (ZipCrypto or AES entries), and verify its one XML document with the
/// offline profile (root `OfflinePaperlessKyc`, inclusive C14N) against
/// `anchors`. UIDAI's certificates are anchors like any other: configure
/// them; KeyInfo is never trusted.
///
/// The archive may be at most `policy.max_bytes` plus 64 KiB, hold exactly
/// one entry, named `*.xml`, and that entry may inflate to at most
/// `policy.max_bytes` (counted while reading, whatever the header claims).
pub fn verify_offline_zip(
    zip_bytes: &[u8],
    share_code: &str,
    anchors: &TrustAnchors,
    policy: &VerifyPolicy,
) -> Result<VerifiedOffline, VerifyError> {
    if anchors.is_empty() {
        return Err(VerifyError::Anchors("no trust anchor configured".into()));
    }
    let limit = policy.max_bytes.saturating_add(ARCHIVE_OVERHEAD);
    if zip_bytes.len() > limit {
        return Err(VerifyError::TooLarge(format!(
            "archive of {} bytes, limit {limit}",
            zip_bytes.len()
        )));
    }
    let xml = extract_xml(zip_bytes, share_code, policy.max_bytes)?;
    let (document, reference_id) = super::verify_inner(&xml, anchors, policy)?;
    if document.profile != super::Profile::OfflineEkyc {
        return Err(VerifyError::Malformed(
            "the archive's XML is not an offline e-KYC document (root OfflinePaperlessKyc)".into(),
        ));
    }
    let reference_id = reference_id.unwrap_or_default();
    Ok(VerifiedOffline {
        document,
        reference_id,
        share_code: share_code.to_string(),
    })
}

fn archive_err(e: zip::result::ZipError) -> VerifyError {
    match e {
        zip::result::ZipError::InvalidPassword => VerifyError::WrongShareCode,
        zip::result::ZipError::UnsupportedArchive(m) => {
            VerifyError::Archive(format!("unsupported: {m}"))
        }
        zip::result::ZipError::CompressionMethodNotSupported(m) => {
            VerifyError::Archive(format!("compression method {m} is not supported"))
        }
        e => VerifyError::Archive(format!("not a readable ZIP archive: {e}")),
    }
}

/// The bytes of the archive's single `.xml` entry, at most `max` of them.
fn extract_xml(zip_bytes: &[u8], share_code: &str, max: usize) -> Result<Vec<u8>, VerifyError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).map_err(archive_err)?;
    if archive.len() != 1 {
        return Err(VerifyError::Archive(format!(
            "expected exactly one .xml entry, found {} entries",
            archive.len()
        )));
    }
    let options = zip::ZipReadOptions::new()
        .password(Some(share_code.as_bytes()))
        .enforce_header_consistency(true);
    let entry = archive
        .by_index_with_options(0, options)
        .map_err(archive_err)?;
    let named_xml = entry
        .name()
        .map(|n| n.to_ascii_lowercase().ends_with(".xml"))
        .unwrap_or(false);
    if !entry.is_file() || !named_xml {
        return Err(VerifyError::Archive(
            "expected exactly one .xml entry, found another kind of entry".into(),
        ));
    }
    if entry.size() > max as u64 {
        return Err(VerifyError::TooLarge(format!(
            "the XML entry declares {} bytes, limit {max}",
            entry.size()
        )));
    }
    let encrypted = entry.encrypted();
    let mut xml = Vec::with_capacity(entry.size() as usize);
    let read = entry.take(max as u64 + 1).read_to_end(&mut xml);
    match read {
        // A wrong ZipCrypto code passes the one-byte check 1 time in 256 (AES:
        // 1 in 65,536); inflating or the CRC/HMAC check then fails.
        Err(_) if encrypted => return Err(VerifyError::WrongShareCode),
        Err(e) => {
            return Err(VerifyError::Archive(format!(
                "the XML entry is damaged: {e}"
            )));
        }
        Ok(_) => {}
    }
    if xml.len() > max {
        return Err(VerifyError::TooLarge(format!(
            "the XML entry inflates past {max} bytes"
        )));
    }
    Ok(xml)
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
        // echo -n 'test@example.com' | sha256sum
        assert_eq!(
            email_hash("test@example.com"),
            "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"
        );
    }
}
