//! `digilocker verify`: exit codes and JSON, on documents signed by the
//! TEST-ONLY PKI in tests/fixtures/verify/.

use digilocker_kyc::verify::sign::sign_enveloped;
use std::process::Command;

const FX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/verify");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{FX}/{name}")).unwrap()
}

fn write_docs() -> (std::path::PathBuf, std::path::PathBuf) {
    let xml = "<Certificate><CertificateData><KycRes ts=\"2025-03-04T10:11:12+05:30\"><UidData uid=\"xxxxxxxx0042\"><Poi name=\"Test Person\" dob=\"01-01-1990\" gender=\"F\"/><Poa pc=\"411001\"/></UidData></KycRes></CertificateData></Certificate>";
    let chain = format!("{}{}", read("leaf.pem"), read("inter.pem"));
    let good = sign_enveloped(xml, &read("leaf.key"), &chain, true).unwrap();
    let bad = good.replace("Test Person", "Evil Person");
    let dir = std::env::temp_dir().join(format!("cli-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (g, b) = (dir.join("good.xml"), dir.join("bad.xml"));
    std::fs::write(&g, good).unwrap();
    std::fs::write(&b, bad).unwrap();
    (g, b)
}

fn cli() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_digilocker"));
    c.env_remove("DIGILOCKER_TRUST_ANCHORS");
    c
}

#[test]
fn verified_document_exits_0_with_masked_json() {
    let (good, _) = write_docs();
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
    let (good, bad) = write_docs();
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
    let (good, _) = write_docs();
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
