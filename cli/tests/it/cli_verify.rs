//! `digilocker verify`: exit codes and JSON, on documents signed by the
//! TEST-ONLY PKI in tests/fixtures/verify/.

use digilocker_kyc::verify::sign::sign_enveloped;
use std::process::Command;

use crate::verify_support;

use verify_support::{FX, read};

/// A good and a tampered signed document, in a folder removed when the
/// guard drops.
fn write_docs() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let xml = "<Certificate><CertificateData><KycRes ts=\"2025-03-04T10:11:12+05:30\"><UidData uid=\"xxxxxxxx0042\"><Poi name=\"Test Person\" dob=\"01-01-1990\" gender=\"F\"/><Poa pc=\"411001\"/></UidData></KycRes></CertificateData></Certificate>";
    let chain = format!("{}{}", read("leaf.pem"), read("inter.pem"));
    let good = sign_enveloped(xml, &read("leaf.key"), &chain, true).unwrap();
    let bad = good.replace("Test Person", "Evil Person");
    let dir = crate::cli_support::temp_dir("cli-verify");
    let (g, b) = (dir.path().join("good.xml"), dir.path().join("bad.xml"));
    std::fs::write(&g, good).unwrap();
    std::fs::write(&b, bad).unwrap();
    (dir, g, b)
}

fn cli() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_digilocker"));
    c.env_remove("DIGILOCKER_TRUST_ANCHORS");
    c
}

#[test]
fn verified_document_exits_0_with_masked_json() {
    let (_dir, good, _) = write_docs();
    let out = cli()
        .args([
            "--json",
            "verify",
            "--trust-anchor",
            &format!("{FX}/root.pem"),
        ])
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["verified"], true);
    assert!(
        v["signer"]
            .as_str()
            .unwrap()
            .contains("TEST NATIONAL E-GOVERNANCE DIVISION")
    );
    assert!(
        v["algorithms"]["signature"]
            .as_str()
            .unwrap()
            .ends_with("rsa-sha1")
    );
    assert!(
        !stdout.contains("Test Person"),
        "personal fields stay out of the output"
    );
}

#[test]
fn tampered_document_exits_6_with_reason() {
    let (_dir, good, bad) = write_docs();
    let out = cli()
        .args(["verify", "--trust-anchor", &format!("{FX}/root.pem")])
        .arg(&good)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("digest mismatch"), "{stdout}");
    let wrong = cli()
        .args([
            "verify",
            "--trust-anchor",
            &format!("{FX}/attacker-root.pem"),
        ])
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(6));
}

#[test]
fn usage_errors_exit_2() {
    let (_dir, good, _) = write_docs();
    let none = cli().arg("verify").arg(&good).output().unwrap();
    assert_eq!(none.status.code(), Some(2), "no anchor is a usage error");
    let at = cli()
        .args([
            "verify",
            "--trust-anchor",
            &format!("{FX}/root.pem"),
            "--at",
            "yesterday",
        ])
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(at.status.code(), Some(2));
    let env = cli()
        .env("DIGILOCKER_TRUST_ANCHORS", FX)
        .arg("verify")
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(
        env.status.code(),
        Some(0),
        "a folder of anchors from the environment"
    );
}

/// A UIDAI-profile offline e-KYC XML (inclusive C14N SignedInfo) in an AES
/// ZIP locked with `code`; the mobile hash is for 9876543210 (last digit 2).
fn write_offline_zip(code: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    use digilocker_kyc::verify::{offline::contact_hash, sign::sign_enveloped_with};
    use std::io::Write as _;
    let xml = format!(
        "<OfflinePaperlessKyc referenceId=\"004220250304101112123\"><UidData><Poi dob=\"01-01-1990\" gender=\"F\" m=\"{}\" name=\"Asha Test\"/><Poa pc=\"411001\"/><Pht>AAAA</Pht></UidData></OfflinePaperlessKyc>",
        contact_hash("9876543210", code, 2)
    );
    let chain = format!("{}{}", read("leaf.pem"), read("inter.pem"));
    let signed = sign_enveloped_with(&xml, &read("leaf.key"), &chain, true, true).unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().with_aes_encryption(zip::AesMode::Aes256, code);
    w.start_file("offline.xml", opts).unwrap();
    w.write_all(signed.as_bytes()).unwrap();
    let bytes = w.finish().unwrap().into_inner();
    let dir = crate::cli_support::temp_dir("cli-verify-offline");
    let p = dir.path().join("offline.zip");
    std::fs::write(&p, bytes).unwrap();
    (dir, p)
}

#[test]
fn offline_zip_with_share_code_exits_0_and_6_with_wrong_anchors() {
    let (_dir, zip) = write_offline_zip("Lock@487");
    let run = |anchor: &str, code: &str, extra: &[&str]| {
        cli()
            .args([
                "--json",
                "verify",
                "--trust-anchor",
                &format!("{FX}/{anchor}"),
            ])
            .args(["--share-code", code])
            .args(extra)
            .arg(&zip)
            .output()
            .unwrap()
    };
    let ok = run("root.pem", "Lock@487", &[]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let stdout = String::from_utf8(ok.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["verified"], true);
    assert_eq!(v["document"]["profile"], "OfflineEkyc");
    assert_eq!(v["document"]["mobile_hash_present"], true);
    assert!(v.get("contact_matches").is_none(), "only when asked");
    assert!(!stdout.contains("Asha") && !stdout.contains("Lock@487"));

    let wrong = run("attacker-root.pem", "Lock@487", &[]);
    assert_eq!(wrong.status.code(), Some(6));
    let v: serde_json::Value =
        serde_json::from_str(String::from_utf8(wrong.stdout).unwrap().trim()).unwrap();
    assert_eq!(v["verified"], false);
    assert!(v["reason"].as_str().unwrap().contains("untrusted signer"));

    let bad_code = run("root.pem", "Lock@488", &[]);
    assert_eq!(bad_code.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&bad_code.stdout).contains("wrong share code"));

    let mobile = run("root.pem", "Lock@487", &["--mobile", "9876543210"]);
    assert_eq!(mobile.status.code(), Some(0));
    let out = String::from_utf8(mobile.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["contact_matches"]["mobile"], true);
    assert!(v["contact_matches"].get("email").is_none());
    assert!(!out.contains("9876543210"), "the number is not echoed");
    let other = run(
        "root.pem",
        "Lock@487",
        &["--mobile", "9876543211", "--email", "a@b.c"],
    );
    assert_eq!(
        other.status.code(),
        Some(0),
        "a mismatch is reported, not a failure"
    );
    let v: serde_json::Value =
        serde_json::from_str(String::from_utf8(other.stdout).unwrap().trim()).unwrap();
    assert_eq!(v["contact_matches"]["mobile"], false);
    assert_eq!(
        v["contact_matches"]["email"],
        serde_json::Value::Null,
        "no email hash"
    );

    let no_code = cli()
        .args(["verify", "--trust-anchor", &format!("{FX}/root.pem")])
        .arg(&zip)
        .output()
        .unwrap();
    assert_eq!(no_code.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&no_code.stdout).contains("--share-code"));
}
