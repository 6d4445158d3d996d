//! Verifying a ~100 KiB DigiLocker Aadhaar XML (photo included): in-process
//! `verify_document` (target ≤ 2 ms) beside `xmlsec1 --verify` on the same
//! file. `cargo bench --bench verify` (needs xmlsec1, installed by .ci/run).
//! Keys: the TEST-ONLY PKI in tests/fixtures/verify/.

use digilocker_kyc::verify::{TrustAnchors, VerifyPolicy, sign::sign_enveloped, verify_document};
use std::process::Command;
use std::time::Instant;

const FX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/verify");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{FX}/{name}")).unwrap()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let photo: String = "QUJDRA==".repeat(12_500);
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Certificate><CertificateData><KycRes code=\"c\" ret=\"Y\" ts=\"2025-03-04T10:11:12+05:30\" ttl=\"2026-03-04T10:11:12\" txn=\"UKC:bench\"><UidData tkn=\"t\" uid=\"xxxxxxxx0042\"><Poi dob=\"01-01-1990\" gender=\"F\" name=\"Bench Person\"/><Poa co=\"C/O X\" country=\"India\" dist=\"Pune\" pc=\"411001\" state=\"Maharashtra\" vtc=\"Pune\"/><LData/><Pht>{photo}</Pht></UidData></KycRes></CertificateData></Certificate>"
    );
    let chain = format!(
        "{}{}{}",
        read("leaf.pem"),
        read("inter.pem"),
        read("root.pem")
    );
    let doc = sign_enveloped(&xml, &read("leaf.key"), &chain, true).unwrap();
    let anchors = TrustAnchors::from_path(format!("{FX}/root.pem")).unwrap();
    let policy = VerifyPolicy::default();
    verify_document(doc.as_bytes(), &anchors, &policy).unwrap();

    let mut ours = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let v = verify_document(doc.as_bytes(), &anchors, &policy);
        ours.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(v.is_ok());
    }
    let path = std::env::temp_dir().join(format!("bench-verify-{}.xml", std::process::id()));
    std::fs::write(&path, &doc).unwrap();
    let mut theirs = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let out = Command::new("xmlsec1")
            .args([
                "--verify",
                "--trusted-pem",
                &format!("{FX}/root.pem"),
                "--verification-gmt-time",
                "2025-06-01 00:00:00",
            ])
            .arg(&path)
            .output()
            .expect("xmlsec1");
        theirs.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(out.status.success());
    }
    let _ = std::fs::remove_file(&path);
    println!("document: {} bytes", doc.len());
    println!(
        "verify_document (in-process), median of 200: {:.3} ms (target <= 2 ms)",
        median(ours)
    );
    println!(
        "xmlsec1 --verify (process incl. start-up), median of 20: {:.3} ms",
        median(theirs)
    );
}
