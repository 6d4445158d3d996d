//! Document signature verification against our own TEST-ONLY PKI
//! (tests/fixtures/verify/), with Debian's xmlsec1 as the oracle.

use digilocker_kyc::verify::{
    Profile, TrustAnchors, VerifyError, VerifyPolicy, sign::sign_enveloped, verify_document,
};
use std::process::Command;

use crate::verify_support;

use verify_support::{FX, anchors, read, xmlsec_verify};

fn aadhaar() -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Certificate><CertificateData><KycRes code=\"c1\" ret=\"Y\" ts=\"2025-03-04T10:11:12.000+05:30\" ttl=\"2026-03-04T10:11:12\" txn=\"UKC:test\"><UidData tkn=\"t\" uid=\"xxxxxxxx0042\"><Poi dob=\"01-01-1990\" gender=\"F\" name=\"Test Person &amp; Co\"/><Poa co=\"C/O Someone\" country=\"India\" dist=\"Pune\" pc=\"411001\" state=\"Maharashtra\" vtc=\"Pune\"/><LData/><Pht>AAAA</Pht></UidData></KycRes></CertificateData></Certificate>".to_string()
}

fn chain() -> String {
    format!(
        "{}{}{}",
        read("leaf.pem"),
        read("inter.pem"),
        read("root.pem")
    )
}

fn signed(xml: &str) -> String {
    sign_enveloped(xml, &read("leaf.key"), &chain(), true).unwrap()
}

fn check(xml: &str) -> Result<digilocker_kyc::verify::VerifiedDocument, VerifyError> {
    verify_document(xml.as_bytes(), &anchors(), &VerifyPolicy::default())
}

#[test]
fn our_signature_verifies_with_ours_and_xmlsec1() {
    let doc = signed(&aadhaar());
    let v = check(&doc).unwrap();
    assert_eq!(v.profile, Profile::DigiLockerAadhaar);
    assert_eq!(v.fields.name.as_deref(), Some("Test Person & Co"));
    assert_eq!(v.fields.number.as_deref(), Some("xxxxxxxx0042"));
    assert_eq!(
        v.fields.address.get("pc").map(String::as_str),
        Some("411001")
    );
    assert_eq!(v.evidence.chain.len(), 3);
    assert!(
        v.evidence
            .signer
            .contains("TEST NATIONAL E-GOVERNANCE DIVISION")
    );
    assert_eq!(
        v.evidence.signed_at.unwrap().to_rfc3339(),
        "2025-03-04T04:41:12+00:00"
    );
    assert!(xmlsec_verify(&doc, "root.pem"));
    assert!(!xmlsec_verify(&doc, "attacker-root.pem"));
}

#[test]
fn xmlsec1_signature_verifies_with_ours() {
    let template = aadhaar().replace(
        "</Certificate>",
        "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo><CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/><SignatureMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#rsa-sha1\"/>\n<Reference URI=\"\"><Transforms><Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/></Transforms><DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><DigestValue/></Reference></SignedInfo><SignatureValue/><KeyInfo><X509Data/></KeyInfo></Signature></Certificate>",
    );
    let dir = std::env::temp_dir().join(format!("verify-sign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let t = dir.join("t.xml");
    std::fs::write(&t, template).unwrap();
    let out = Command::new("xmlsec1")
        .args(["--sign", "--privkey-pem"])
        .arg(format!("{FX}/leaf.key,{FX}/leaf.pem,{FX}/inter.pem"))
        .arg(&t)
        .output()
        .expect("xmlsec1 is installed by .ci/run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = String::from_utf8(out.stdout).unwrap();
    let v = check(&doc).unwrap();
    assert_eq!(v.fields.name.as_deref(), Some("Test Person & Co"));
    assert!(v.evidence.signature_algorithm.ends_with("rsa-sha1"));
}

#[test]
fn tampered_field_is_a_digest_mismatch() {
    let doc = signed(&aadhaar()).replace("Test Person", "Evil Person");
    assert_eq!(check(&doc).unwrap_err(), VerifyError::DigestMismatch);
    assert!(!xmlsec_verify(&doc, "root.pem"));
}

#[test]
fn attacker_resigned_with_own_certificate_is_untrusted() {
    let forged = aadhaar().replace("Test Person", "Evil Person");
    let doc = sign_enveloped(
        &forged,
        &read("attacker-leaf.key"),
        &read("attacker-leaf.pem"),
        true,
    )
    .unwrap();
    assert!(matches!(
        check(&doc).unwrap_err(),
        VerifyError::UntrustedSigner(_)
    ));
    // The attacker's leaf next to the real chain: still not chained.
    let both = format!("{}{}", read("attacker-leaf.pem"), chain());
    let doc = sign_enveloped(&forged, &read("attacker-leaf.key"), &both, true).unwrap();
    assert!(matches!(
        check(&doc).unwrap_err(),
        VerifyError::UntrustedSigner(_)
    ));
}

#[test]
fn object_inside_signature_is_never_read() {
    let doc = signed(&aadhaar()).replace(
        "</KeyInfo>",
        "</KeyInfo><Object><UidData uid=\"xxxxxxxx9999\"><Poi name=\"Injected\"/></UidData></Object>",
    );
    let v = check(&doc).unwrap();
    assert_eq!(v.fields.name.as_deref(), Some("Test Person & Co"));
}

#[test]
fn two_signatures_and_other_references_are_rejected() {
    let doc = signed(&aadhaar());
    let sig = &doc[doc.find("<Signature").unwrap()..doc.find("</Signature>").unwrap() + 12];
    let two = doc.replace("</Certificate>", &format!("{sig}</Certificate>"));
    assert_eq!(check(&two).unwrap_err(), VerifyError::SignatureCount(2));
    let other = doc.replace("URI=\"\"", "URI=\"#x\"");
    assert!(matches!(
        check(&other).unwrap_err(),
        VerifyError::Reference(_)
    ));
}

#[test]
fn dtd_and_entities_are_refused() {
    let doc = signed(&aadhaar()).replace(
        "<Certificate>",
        "<!DOCTYPE Certificate [<!ENTITY e \"x\">]><Certificate>",
    );
    assert_eq!(check(&doc).unwrap_err(), VerifyError::Dtd);
}

#[test]
fn comments_are_not_signed_content_but_reserialising_breaks() {
    let doc = signed(&aadhaar());
    let commented = doc.replace("<CertificateData>", "<CertificateData><!-- note -->");
    assert!(
        check(&commented).is_ok(),
        "comments are outside C14N without comments"
    );
    let pretty = doc.replace("<CertificateData>", "<CertificateData>\n  ");
    assert_eq!(check(&pretty).unwrap_err(), VerifyError::DigestMismatch);
}

#[test]
fn validity_is_judged_at_signing_time_or_given_time() {
    let late = aadhaar().replace("2025-03-04T10:11:12.000+05:30", "2031-01-01T00:00:00+05:30");
    assert!(matches!(
        check(&signed(&late)).unwrap_err(),
        VerifyError::OutsideValidity(_)
    ));
    let doc = signed(&aadhaar());
    let at = "2030-01-01T00:00:00Z".parse().unwrap();
    let err =
        verify_document(doc.as_bytes(), &anchors(), &VerifyPolicy::default().at(at)).unwrap_err();
    assert!(matches!(err, VerifyError::OutsideValidity(_)));
}

#[test]
fn wrong_key_usage_is_rejected() {
    let c = format!("{}{}", read("wrongku-leaf.pem"), read("inter.pem"));
    let doc = sign_enveloped(&aadhaar(), &read("wrongku-leaf.key"), &c, true).unwrap();
    assert!(matches!(check(&doc).unwrap_err(), VerifyError::KeyUsage(_)));
}

#[test]
fn sha1_only_for_known_profiles() {
    let other = "<Receipt><Amount>10</Amount></Receipt>";
    let doc = signed(other);
    assert!(matches!(
        check(&doc).unwrap_err(),
        VerifyError::UnsupportedAlgorithm(_)
    ));
    let doc256 = sign_enveloped(other, &read("leaf.key"), &chain(), false).unwrap();
    assert_eq!(check(&doc256).unwrap().profile, Profile::Other);
    let strict = VerifyPolicy::default().forbid_sha1();
    let err = verify_document(signed(&aadhaar()).as_bytes(), &anchors(), &strict).unwrap_err();
    assert!(matches!(err, VerifyError::UnsupportedAlgorithm(_)));
}

#[test]
fn only_configured_anchors_count() {
    let doc = signed(&aadhaar());
    let wrong = TrustAnchors::from_path(format!("{FX}/attacker-root.pem")).unwrap();
    let err = verify_document(doc.as_bytes(), &wrong, &VerifyPolicy::default()).unwrap_err();
    assert!(matches!(err, VerifyError::UntrustedSigner(_)));
    let org = VerifyPolicy::default().signer_organisation("NATIONAL E-GOVERNANCE DIVISION");
    let err = verify_document(doc.as_bytes(), &anchors(), &org).unwrap_err();
    assert!(matches!(err, VerifyError::SubjectRule(_)));
    let ok = VerifyPolicy::default().signer_organisation("TEST NATIONAL E-GOVERNANCE DIVISION");
    assert!(verify_document(doc.as_bytes(), &anchors(), &ok).is_ok());
}

#[test]
fn pan_and_driving_licence_profiles() {
    let pan = "<Certificate type=\"PANCR\" number=\"ABCPE1234F\" issueDate=\"04-03-2025\"><IssuedBy><Organization name=\"Test\"/></IssuedBy><IssuedTo><Person name=\"Test Person\" dob=\"01-01-1990\" gender=\"M\"/></IssuedTo><CertificateData/></Certificate>";
    let v = check(&signed(pan)).unwrap();
    assert_eq!(v.profile, Profile::Pan);
    assert_eq!(v.fields.number.as_deref(), Some("ABCPE1234F"));
    let dl = pan.replace("PANCR", "DRVLC");
    assert_eq!(
        check(&signed(&dl)).unwrap().profile,
        Profile::DrivingLicence
    );
    assert!(xmlsec_verify(&signed(&dl), "root.pem"));
}
