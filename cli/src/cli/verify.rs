//! `digilocker verify FILE...`: check documents' signatures against trust
//! anchors (exit 0 all verified, 6 one is not, 2 usage errors). A `.zip`
//! file (or one starting with a ZIP header) is a UIDAI offline e-KYC archive,
//! opened with `--share-code`; `--mobile`/`--email` then check the
//! resident's contact details against its signed hashes (reported, not part
//! of the exit code).

use super::Failure;
use super::output::Ctx;
use digilocker_kyc::redact::mask;
use digilocker_kyc::verify::{
    Contact, TrustAnchors, VerifiedDocument, VerifyPolicy, verify_document, verify_offline_zip,
};
use std::path::{Path, PathBuf};

/// Arguments of `digilocker verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Documents to verify (the exact downloaded bytes).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// A PEM file or folder of trust anchors (repeatable); without it,
    /// DIGILOCKER_TRUST_ANCHORS.
    #[arg(long = "trust-anchor", value_name = "PEM")]
    trust_anchor: Vec<PathBuf>,
    /// Judge certificate validity at this RFC 3339 time instead of the
    /// document's signing time.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Offline e-KYC share code: opens the `.zip` archives among FILE.
    #[arg(long, value_name = "CODE")]
    share_code: Option<String>,
    /// Offline e-KYC: check this mobile number against the signed hash.
    #[arg(long, value_name = "NUMBER", requires = "share_code")]
    mobile: Option<String>,
    /// Offline e-KYC: check this email address against the signed hash.
    #[arg(long, value_name = "ADDRESS", requires = "share_code")]
    email: Option<String>,
}

fn is_zip(path: &Path, bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

fn usage(ctx: &Ctx, msg: &str) -> Failure {
    if ctx.json {
        let out = super::json::ErrorOutput {
            error: super::json::ErrorBody {
                kind: "usage",
                message: msg.to_string(),
                exit_code: None,
                provider: super::json::Skip::Absent,
                http_status: super::json::Skip::Absent,
                code: super::json::Skip::Absent,
                transaction_id: super::json::Skip::Absent,
                causes: None,
            },
        };
        outln!("{}", serde_json::to_string(&out).unwrap_or_default());
    } else {
        eprintln!("error: {msg}");
    }
    Failure::Invalid
}

fn document_json(v: &VerifiedDocument) -> serde_json::Value {
    let f = &v.fields;
    serde_json::json!({
        "profile": v.profile,
        "number": f.number.as_deref().map(mask),
        "name_present": f.name.is_some(),
        "dob_present": f.dob.is_some(),
        "address_fields": f.address.keys().collect::<Vec<_>>(),
        "photo_present": f.photo_base64.is_some(),
        "mobile_hash_present": f.mobile_hash.is_some(),
        "email_hash_present": f.email_hash.is_some(),
    })
}

/// Run `digilocker verify`.
pub fn run(args: VerifyArgs, ctx: &Ctx) -> Result<(), Failure> {
    let mut anchors = TrustAnchors::new();
    for p in &args.trust_anchor {
        if let Err(e) = anchors.add_path(p) {
            return Err(usage(ctx, &e.to_string()));
        }
    }
    if anchors.is_empty() {
        match TrustAnchors::from_env() {
            Ok(Some(a)) => anchors = a,
            Ok(None) => {
                return Err(usage(
                    ctx,
                    "no trust anchor: pass --trust-anchor PEM or set DIGILOCKER_TRUST_ANCHORS",
                ));
            }
            Err(e) => return Err(usage(ctx, &e.to_string())),
        }
    }
    let mut policy = VerifyPolicy::default();
    if let Some(t) = &args.at {
        match chrono::DateTime::parse_from_rfc3339(t) {
            Ok(t) => policy = policy.at(t.with_timezone(&chrono::Utc)),
            Err(e) => return Err(usage(ctx, &format!("--at {t:?}: {e}"))),
        }
    }
    let mut all = true;
    for file in &args.files {
        let name = file.display().to_string();
        let result = std::fs::read(file)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|b| {
                if !is_zip(file, &b) {
                    return verify_document(&b, &anchors, &policy)
                        .map(|v| (v, None))
                        .map_err(|e| e.to_string());
                }
                let Some(code) = &args.share_code else {
                    return Err("an offline e-KYC ZIP needs --share-code".to_string());
                };
                let o =
                    verify_offline_zip(&b, code, &anchors, &policy).map_err(|e| e.to_string())?;
                let contact = (args.mobile.is_some() || args.email.is_some()).then(|| {
                    let check =
                        |c, v: &Option<String>| v.as_deref().map(|v| o.contact_matches(c, v));
                    (
                        check(Contact::Mobile, &args.mobile),
                        check(Contact::Email, &args.email),
                    )
                });
                Ok((o.document, contact))
            });
        match result {
            Ok((v, contact)) => {
                if ctx.json {
                    let mut out = serde_json::json!({
                        "file": name, "verified": true, "reason": null,
                        "signer": v.evidence.signer, "signed_at": v.evidence.signed_at,
                        "algorithms": {"canonicalization": v.evidence.canonicalization, "signature": v.evidence.signature_algorithm, "digest": v.evidence.digest_algorithm},
                        "chain": v.evidence.chain, "document_sha256": v.evidence.document_sha256,
                        "document": document_json(&v),
                    });
                    if let Some((m, e)) = contact {
                        // Each: true/false, null = no hash in the document;
                        // absent = not asked.
                        let mut c = serde_json::Map::new();
                        if let Some(m) = m {
                            c.insert("mobile".into(), serde_json::json!(m));
                        }
                        if let Some(e) = e {
                            c.insert("email".into(), serde_json::json!(e));
                        }
                        out["contact_matches"] = serde_json::Value::Object(c);
                    }
                    outln!("{out}");
                } else {
                    outln!(
                        "{name}: verified ({:?}), signed by {}",
                        v.profile,
                        v.evidence.signer
                    );
                    if let Some((m, e)) = contact {
                        let word = |x: Option<bool>| match x {
                            Some(true) => "matches",
                            Some(false) => "does NOT match",
                            None => "has no hash in the document",
                        };
                        if let Some(m) = m {
                            outln!("{name}: mobile {}", word(m));
                        }
                        if let Some(e) = e {
                            outln!("{name}: email {}", word(e));
                        }
                    }
                }
            }
            Err(reason) => {
                all = false;
                if ctx.json {
                    outln!(
                        "{}",
                        serde_json::json!({
                            "file": name, "verified": false, "reason": reason,
                            "signer": null, "signed_at": null, "algorithms": null, "document": null,
                        })
                    );
                } else {
                    outln!("{name}: NOT verified: {reason}");
                }
            }
        }
    }
    if all {
        Ok(())
    } else {
        Err(Failure::NotVerified)
    }
}
