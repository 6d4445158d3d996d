//! UIDAI Paperless Offline e-KYC: synthetic residents signed by the TEST-ONLY
//! PKI in tests/fixtures/verify/, packed into ZipCrypto and AES archives with
//! the zip crate, verified with ours; the same XML checked by xmlsec1.

use digilocker_kyc::verify::offline::contact_hash;
use digilocker_kyc::verify::{
    Contact, Profile, TrustAnchors, VerifyError, VerifyPolicy, sign::sign_enveloped,
    sign::sign_enveloped_with, verify_offline_zip,
};
use std::io::Write as _;
use zip::write::SimpleFileOptions;

use crate::verify_support;

use verify_support::{FX, anchors, read};

const CODE: &str = "Lock@487";
const MOBILE: &str = "9876543210";
const EMAIL: &str = "asha.test@example.com";

fn sha256_hex(s: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A synthetic resident: Aadhaar ending 0042 (last digit 2), downloaded
/// 2025-03-04 10:11:12.123 IST. `m`/`e` hashed per UIDAI's FAQ.
fn offline_xml(with_contacts: bool) -> String {
    let contacts = if with_contacts {
        format!(
            " e=\"{}\" m=\"{}\"",
            sha256_hex(EMAIL),
            contact_hash(MOBILE, CODE, 2)
        )
    } else {
        String::new()
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OfflinePaperlessKyc referenceId=\"004220250304101112123\"><UidData><Poi dob=\"01-01-1990\"{contacts} gender=\"F\" name=\"Asha Test\"/><Poa careof=\"C/O Ravi Test\" country=\"India\" dist=\"Pune\" house=\"12\" landmark=\"Near Test Park\" loc=\"\" pc=\"411001\" po=\"Pune City\" state=\"Maharashtra\" street=\"Test Road\" subdist=\"\" vtc=\"Pune\"/><Pht>/9j/4AAQSkZJRg==&#13;\nAAAA</Pht></UidData></OfflinePaperlessKyc>"
    )
}

fn chain() -> String {
    format!("{}{}", read("leaf.pem"), read("inter.pem"))
}

/// Signed in UIDAI's profile: inclusive C14N SignedInfo, rsa-sha1, sha256.
fn signed(xml: &str) -> String {
    sign_enveloped_with(xml, &read("leaf.key"), &chain(), true, true).unwrap()
}

#[derive(Clone, Copy, Debug)]
enum Enc {
    ZipCrypto,
    Aes,
}

fn zip_with(entries: &[(&str, &str)], code: &str, enc: Enc) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let base = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in entries {
        let opts = match enc {
            Enc::Aes => base.with_aes_encryption(zip::AesMode::Aes256, code),
            Enc::ZipCrypto => {
                use zip::unstable::write::FileOptionsExt as _;
                base.with_deprecated_encryption(code.as_bytes()).unwrap()
            }
        };
        w.start_file(*name, opts).unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn zip_one(xml: &str, enc: Enc) -> Vec<u8> {
    zip_with(&[("offlineaadhaar20250304101112123.xml", xml)], CODE, enc)
}

fn check(zip: &[u8], code: &str) -> Result<digilocker_kyc::verify::VerifiedOffline, VerifyError> {
    verify_offline_zip(zip, code, &anchors(), &VerifyPolicy::default())
}

#[test]
fn zipcrypto_and_aes_archives_verify_with_ours_and_the_xml_with_xmlsec1() {
    let xml = signed(&offline_xml(true));
    assert!(
        verify_support::xmlsec_verify(&xml, "root.pem"),
        "xmlsec1 accepts our offline signature"
    );
    for enc in [Enc::ZipCrypto, Enc::Aes] {
        let v = check(&zip_one(&xml, enc), CODE).unwrap_or_else(|e| panic!("{enc:?}: {e}"));
        let d = &v.document;
        assert_eq!(d.profile, Profile::OfflineEkyc);
        assert_eq!(d.fields.name.as_deref(), Some("Asha Test"));
        assert_eq!(
            d.fields.address.get("careof").map(String::as_str),
            Some("C/O Ravi Test")
        );
        assert_eq!(
            d.fields.photo_base64.as_deref(),
            Some("/9j/4AAQSkZJRg==AAAA"),
            "base64 line breaks (&#13;) are dropped"
        );
        assert_eq!(
            d.evidence.canonicalization,
            "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
        );
        assert!(d.evidence.signature_algorithm.ends_with("rsa-sha1"));
        assert_eq!(
            d.evidence.signed_at.unwrap().to_rfc3339(),
            "2025-03-04T04:41:12+00:00",
            "referenceId's timestamp, India time"
        );
        assert_eq!(v.reference_id(), "004220250304101112123");
        let debug = format!("{v:?}");
        assert!(!debug.contains(CODE) && !debug.contains("Asha"), "{debug}");
    }
}

#[test]
fn wrong_share_code_is_a_precise_error() {
    let xml = signed(&offline_xml(true));
    for enc in [Enc::ZipCrypto, Enc::Aes] {
        // Several archives and codes: ZipCrypto's one-byte check lets a wrong
        // code through 1 time in 256; that case must still be WrongShareCode.
        for i in 0..40 {
            let zip = zip_one(&xml, enc);
            let wrong = format!("Lock@{i}");
            assert_eq!(
                check(&zip, &wrong).unwrap_err(),
                VerifyError::WrongShareCode,
                "{enc:?} {wrong}"
            );
        }
        assert_eq!(
            check(&zip_one(&xml, enc), "").unwrap_err(),
            VerifyError::WrongShareCode
        );
    }
}

#[test]
fn tampered_field_is_rejected_by_ours_and_xmlsec1() {
    let xml = signed(&offline_xml(true)).replace("Asha Test", "Evil Test");
    assert!(!verify_support::xmlsec_verify(&xml, "root.pem"));
    for enc in [Enc::ZipCrypto, Enc::Aes] {
        assert_eq!(
            check(&zip_one(&xml, enc), CODE).unwrap_err(),
            VerifyError::DigestMismatch
        );
    }
}

#[test]
fn contact_hashes_match_only_the_right_values() {
    let v = check(&zip_one(&signed(&offline_xml(true)), Enc::Aes), CODE).unwrap();
    assert_eq!(v.contact_matches(Contact::Mobile, MOBILE), Some(true));
    assert_eq!(
        v.contact_matches(Contact::Mobile, "9876543211"),
        Some(false)
    );
    assert_eq!(v.contact_matches(Contact::Email, EMAIL), Some(true));
    assert_eq!(
        v.contact_matches(Contact::Email, "other@example.com"),
        Some(false)
    );
    // The mobile hash is salted with the share code: a document re-zipped
    // under another code does not match the same number.
    let other = "Other@99";
    let v = check(
        &zip_with(
            &[("a.xml", &signed(&offline_xml(true)))],
            other,
            Enc::ZipCrypto,
        ),
        other,
    )
    .unwrap();
    assert_eq!(v.contact_matches(Contact::Mobile, MOBILE), Some(false));
    let none = check(&zip_one(&signed(&offline_xml(false)), Enc::Aes), CODE).unwrap();
    assert_eq!(none.contact_matches(Contact::Mobile, MOBILE), None);
    assert_eq!(none.contact_matches(Contact::Email, EMAIL), None);
}

#[test]
fn only_configured_anchors_count() {
    let zip = zip_one(&signed(&offline_xml(true)), Enc::Aes);
    let wrong = TrustAnchors::from_path(format!("{FX}/attacker-root.pem")).unwrap();
    let err = verify_offline_zip(&zip, CODE, &wrong, &VerifyPolicy::default()).unwrap_err();
    assert!(matches!(err, VerifyError::UntrustedSigner(_)), "{err}");
    let forged = sign_enveloped_with(
        &offline_xml(true).replace("Asha", "Evil"),
        &read("attacker-leaf.key"),
        &read("attacker-leaf.pem"),
        true,
        true,
    )
    .unwrap();
    let err = check(&zip_one(&forged, Enc::ZipCrypto), CODE).unwrap_err();
    assert!(matches!(err, VerifyError::UntrustedSigner(_)), "{err}");
}

#[test]
fn the_offline_profile_is_enforced() {
    // Exclusive C14N SignedInfo is DigiLocker's profile, not UIDAI's.
    let exc = sign_enveloped(&offline_xml(true), &read("leaf.key"), &chain(), true).unwrap();
    assert!(matches!(
        check(&zip_one(&exc, Enc::Aes), CODE).unwrap_err(),
        VerifyError::UnsupportedAlgorithm(_)
    ));
    // A validly signed document of another kind inside the ZIP.
    let other = sign_enveloped_with(
        "<Certificate><CertificateData><KycRes ts=\"2025-03-04T10:11:12+05:30\"/></CertificateData></Certificate>",
        &read("leaf.key"),
        &chain(),
        true,
        true,
    )
    .unwrap();
    assert!(matches!(
        check(&zip_one(&other, Enc::Aes), CODE).unwrap_err(),
        VerifyError::Malformed(_)
    ));
}

#[test]
fn archive_shape_and_size_are_bounded() {
    let xml = signed(&offline_xml(true));
    let two = zip_with(&[("a.xml", &xml), ("b.xml", &xml)], CODE, Enc::Aes);
    assert!(matches!(
        check(&two, CODE).unwrap_err(),
        VerifyError::Archive(_)
    ));
    let not_xml = zip_with(&[("a.txt", &xml)], CODE, Enc::Aes);
    assert!(matches!(
        check(&not_xml, CODE).unwrap_err(),
        VerifyError::Archive(_)
    ));
    assert!(matches!(
        check(xml.as_bytes(), CODE).unwrap_err(),
        VerifyError::Archive(_)
    ));
    // The XML entry inflates past the policy's bound; so does the archive.
    let mut small = VerifyPolicy::default();
    small.max_bytes = 1024;
    let zip = zip_one(&xml, Enc::ZipCrypto);
    assert!(zip.len() < 1024 + 64 * 1024);
    let err = verify_offline_zip(&zip, CODE, &anchors(), &small).unwrap_err();
    assert!(matches!(err, VerifyError::TooLarge(_)), "{err}");
    let huge = vec![0u8; 1024 + 64 * 1024 + 1];
    let err = verify_offline_zip(&huge, CODE, &anchors(), &small).unwrap_err();
    assert!(matches!(err, VerifyError::TooLarge(_)), "{err}");
    // A highly compressible bomb: 9 MiB of spaces (the default bound is 8 MiB) inside the root element.
    let bomb = xml.replace("<UidData>", &format!("<UidData>{}", " ".repeat(9 << 20)));
    let zip = zip_one(&bomb, Enc::Aes);
    assert!(zip.len() < 1 << 20, "{}", zip.len());
    let err = check(&zip, CODE).unwrap_err();
    assert!(matches!(err, VerifyError::TooLarge(_)), "{err}");
}

#[test]
fn infozip_archive_of_an_xmlsec1_signed_document_verifies() {
    // Both halves written by other tools: tests/fixtures/verify/make-offline-zip.sh.
    let zip = std::fs::read(format!("{FX}/offline-infozip.zip")).unwrap();
    let v = check(&zip, "Lock@487").unwrap();
    assert_eq!(v.document.profile, Profile::OfflineEkyc);
    assert_eq!(v.document.fields.name.as_deref(), Some("Infozip Test"));
    assert_eq!(v.document.fields.mobile_hash, None, "m=\"\" is no hash");
    assert_eq!(v.contact_matches(Contact::Mobile, MOBILE), None);
    assert_eq!(
        check(&zip, "Lock@488").unwrap_err(),
        VerifyError::WrongShareCode
    );
}

#[test]
fn a_wrong_code_that_passes_zipcryptos_check_byte_is_still_wrong_share_code() {
    let zip = zip_one(&signed(&offline_xml(true)), Enc::ZipCrypto);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&zip[..])).unwrap();
    // About 1 code in 256 passes the header check; 20,000 tries all failing
    // it has probability below 1e-30.
    let code = (0..20_000)
        .map(|i| format!("wrong{i}"))
        .find(|c| archive.by_index_decrypt(0, c.as_bytes()).is_ok())
        .expect("some wrong code passes the one-byte check");
    assert_eq!(check(&zip, &code).unwrap_err(), VerifyError::WrongShareCode);
}
