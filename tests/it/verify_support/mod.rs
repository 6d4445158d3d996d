//! What the verification tests share: the TEST-ONLY PKI in
//! tests/fixtures/verify/ and Debian's xmlsec1 as the oracle.
#![allow(dead_code)]

use digilocker_kyc::verify::TrustAnchors;
use std::process::Command;

/// The test PKI's folder.
pub const FX: &str = concat!(repo_root!(), "/tests/fixtures/verify");

/// A file of the test PKI, as text.
pub fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{FX}/{name}")).unwrap()
}

/// The test root as the only anchor.
pub fn anchors() -> TrustAnchors {
    TrustAnchors::from_path(format!("{FX}/root.pem")).unwrap()
}

/// Whether `xmlsec1 --verify` accepts `xml` with `root` (a file of the test
/// PKI) as its trusted certificate, at a time inside the test chain's
/// validity.
pub fn xmlsec_verify(xml: &str, root: &str) -> bool {
    let dir = std::env::temp_dir().join(format!(
        "verify-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("doc.xml");
    std::fs::write(&f, xml).unwrap();
    let out = Command::new("xmlsec1")
        .args([
            "--verify",
            "--trusted-pem",
            &format!("{FX}/{root}"),
            "--verification-gmt-time",
            "2025-06-01 00:00:00",
        ])
        .arg(&f)
        .output()
        .expect("xmlsec1 is installed by .ci/run");
    let _ = std::fs::remove_dir_all(&dir);
    out.status.success()
}
