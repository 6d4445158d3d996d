//! `digilocker verify FILE...`: check documents' signatures against trust
//! anchors (exit 0 all verified, 6 one is not, 2 usage errors).

use super::Failure;
use super::output::Ctx;
use digilocker_kyc::redact::mask;
use digilocker_kyc::verify::{TrustAnchors, VerifiedDocument, VerifyPolicy, verify_document};
use std::path::PathBuf;

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
    /// Offline e-KYC share code (ZIP archives).
    #[arg(long, value_name = "CODE")]
    share_code: Option<String>,
}

fn usage(ctx: &Ctx, msg: &str) -> Failure {
    if ctx.json {
        outln!(
            "{}",
            serde_json::json!({"error": {"kind": "usage", "message": msg}})
        );
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
    })
}

/// Run `digilocker verify`.
pub fn run(args: VerifyArgs, ctx: &Ctx) -> Result<(), Failure> {
    if args.share_code.is_some() {
        return Err(usage(
            ctx,
            "--share-code (offline e-KYC ZIP) is not supported yet",
        ));
    }
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
            .and_then(|b| verify_document(&b, &anchors, &policy).map_err(|e| e.to_string()));
        match result {
            Ok(v) => {
                if ctx.json {
                    outln!(
                        "{}",
                        serde_json::json!({
                            "file": name, "verified": true, "reason": null,
                            "signer": v.evidence.signer, "signed_at": v.evidence.signed_at,
                            "algorithms": {"canonicalization": v.evidence.canonicalization, "signature": v.evidence.signature_algorithm, "digest": v.evidence.digest_algorithm},
                            "chain": v.evidence.chain, "document_sha256": v.evidence.document_sha256,
                            "document": document_json(&v),
                        })
                    );
                } else {
                    outln!(
                        "{name}: verified ({:?}), signed by {}",
                        v.profile,
                        v.evidence.signer
                    );
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
