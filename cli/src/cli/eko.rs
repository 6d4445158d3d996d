//! `digilocker eko ...`: the Eko DigiLocker operations from a terminal.
//!
//! JSON shapes (`--json`), stable field names:
//!
//! - `start`: the neutral session `{provider, id, authorization_url,
//!   requested, verification_id?}` (`id` is Eko's `reference_id`);
//! - `status`: `{provider, id, status, outcome: {state, consented?},
//!   verification_id, upstream_status, message, code, response_status_id,
//!   document_requested, user_details: {name, dob, dob_text, gender, mobile,
//!   email} | null}`;
//! - `document`: `{provider, reference_id, verification_id,
//!   verification_status, message, documents: [{kind, name, dob, dob_text,
//!   gender, masked_id, address, address_parts, photo}], saved_to}`;
//! - `callback`: `{verification_id, reference_id, status, state, extra}`
//!   (`extra`: the names of the other query parameters; their values are
//!   never printed).

use super::Failure;
use super::json::{self, EkoSavedDocument, EkoSavedDocuments, Identity, ProfileFields};
use super::output::{
    Ctx, EkoCreds, Fields, ProgressLine, WaitArgs, fail_with, mask_sensitive, print_document,
    print_json, print_started, profile_fields, report, runtime, write_private,
};
use clap::{Args, Subcommand};
use digilocker_kyc::eko::{
    CreateUrl, EkoCallback, EkoDocType, EkoDocument, EkoStatus, ReferenceId,
};
use digilocker_kyc::flow::{DigiLocker, DocType, Document, Outcome, Profile, poll_until};
use digilocker_kyc::{Error, Provider};
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  export EKO_DEVELOPER_KEY=... EKO_ACCESS_KEY=... EKO_INITIATOR_ID=... EKO_USER_CODE=...
  digilocker eko start --redirect https://app.example/kyc/done
  digilocker eko status REFERENCE_ID --wait --timeout 10m
  digilocker eko callback 'https://app.example/kyc/done?verification_id=V&reference_id=R'
  digilocker eko document REFERENCE_ID --verification-id V --save aadhaar.json";

/// `digilocker eko`: credentials and the operation.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct EkoArgs {
    #[command(flatten)]
    creds: EkoCreds,
    #[command(subcommand)]
    command: EkoCommand,
}

#[derive(Debug, Subcommand)]
enum EkoCommand {
    /// Create a DigiLocker consent link and print it.
    #[command(
        after_help = "Example:\n  digilocker eko start --redirect https://app.example/kyc/done --doc aadhaar"
    )]
    Start(StartArgs),
    /// Where a verification stands (optionally waiting until it settles).
    #[command(after_help = "Examples:\n  digilocker eko status 123456\n  \
                            digilocker eko status 123456 --wait --timeout 5m")]
    Status(StatusArgs),
    /// Fetch the verified documents (needs the verification_id from the redirect).
    #[command(
        after_help = "Example:\n  digilocker eko document 123456 --verification-id vrf_... --save aadhaar.json"
    )]
    Document(DocumentArgs),
    /// Read the URL the user was redirected to (no network, no credentials).
    #[command(after_help = "Example:\n  digilocker eko callback \
                            'https://app.example/kyc/done?verification_id=vrf_1&reference_id=123456'")]
    Callback(CallbackArgs),
}

#[derive(Debug, Args)]
struct StartArgs {
    /// Where DigiLocker sends the user back (absolute http(s) URL); Eko
    /// appends verification_id and reference_id.
    #[arg(long, value_name = "URL")]
    redirect: String,
    /// Document to ask for (repeat for several); Eko documents aadhaar only.
    #[arg(long = "doc", value_name = "TYPE", default_value = "aadhaar")]
    docs: Vec<String>,
}

#[derive(Debug, Args)]
struct StatusArgs {
    /// Eko's reference_id (from `eko start`).
    reference_id: String,
    #[command(flatten)]
    wait: WaitArgs,
}

#[derive(Debug, Args)]
struct DocumentArgs {
    /// Eko's reference_id (from `eko start`).
    reference_id: String,
    /// The verification_id from the redirect (see `eko callback`). Without
    /// it, `eko status` is asked for it first (one more request).
    #[arg(long, value_name = "ID")]
    verification_id: Option<String>,
    /// Document type (repeat for several).
    #[arg(long = "doc", value_name = "TYPE", default_value = "aadhaar")]
    docs: Vec<String>,
    /// Save the documents as JSON here (photo included, base64), readable by
    /// you only (0600): a new file renamed into place, so an existing file
    /// or symbolic link there is replaced, never written through.
    #[arg(long, value_name = "PATH")]
    save: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct CallbackArgs {
    /// The redirect URL, absolute or as a server sees it (`/kyc/done?...`).
    url: String,
}

fn eko_doc(d: &str) -> EkoDocType {
    EkoDocType::from(d.trim())
}

/// Run an `eko` subcommand.
pub fn run(args: EkoArgs, ctx: &Ctx) -> Result<(), Failure> {
    let e = |err: Error| report(&err, ctx, None);
    if let EkoCommand::Callback(a) = &args.command {
        let cb = EkoCallback::from_url(&a.url).map_err(e)?;
        return callback(ctx, &cb);
    }
    let rt = runtime()?;
    rt.block_on(async {
        match args.command {
            EkoCommand::Start(a) => {
                let docs: Vec<DocType> = a
                    .docs
                    .iter()
                    .map(|d| DocType::from(d.trim().to_ascii_lowercase()))
                    .collect();
                // Validate before anything else: no credentials, no network.
                CreateUrl::new(&a.redirect, a.docs.iter().map(|d| eko_doc(d))).map_err(e)?;
                let kyc = DigiLocker::eko(args.creds.client(ctx)?);
                let session = kyc.start(docs, &a.redirect).await.map_err(e)?;
                print_started(ctx, &session, "reference id", "eko");
                Ok(())
            }
            EkoCommand::Status(a) => {
                let reference = ReferenceId::from(a.reference_id.trim());
                let client = args.creds.client(ctx)?;
                let status = if a.wait.wait {
                    let mut line = ProgressLine::new();
                    // Settled once its outcome is (`Outcome::from_eko`).
                    let r = poll_until(
                        &a.wait.policy(),
                        || client.status(&reference),
                        |p| line.update(p, |s: &EkoStatus| s.state.to_string()),
                    )
                    .await;
                    line.finish();
                    r
                } else {
                    client.status(&reference).await
                }
                .map_err(e)?;
                print_status(ctx, &status);
                Ok(())
            }
            EkoCommand::Document(a) => {
                let docs: Vec<EkoDocType> = a.docs.iter().map(|d| eko_doc(d)).collect();
                let reference = ReferenceId::from(a.reference_id.trim());
                let client = args.creds.client(ctx)?;
                let verification_id = match a.verification_id.as_deref() {
                    // Given: used as it is (a blank one is refused unsent).
                    Some(v) => v.trim().to_string(),
                    None => {
                        let status = client.status(&reference).await.map_err(e)?;
                        match status.verification_id {
                            Some(v) => v,
                            None => {
                                return Err(fail_with(
                                    Failure::NotReady,
                                    format!(
                                        "Eko has no verification_id for reference {} yet \
                                         (state: {}); the user has not finished the consent",
                                        reference, status.state
                                    ),
                                ));
                            }
                        }
                    }
                };
                let req =
                    digilocker_kyc::eko::DocumentRequest::new(reference, verification_id, docs);
                let got = client.document_with(req).await.map_err(e)?;
                let documents: Vec<Document> =
                    got.documents.iter().cloned().map(Document::from).collect();
                if let Some(path) = &a.save {
                    let file = EkoSavedDocuments {
                        provider: Provider::Eko,
                        reference_id: &got.reference_id,
                        verification_id: &got.verification_id,
                        verification_status: &got.verification_status,
                        message: &got.message,
                        documents: documents
                            .iter()
                            .zip(&got.documents)
                            .map(|(n, d)| EkoSavedDocument {
                                identity: Identity::from(n),
                                photo_base64: photo_base64(d),
                                care_of: &d.care_of,
                                issue_date: &d.issue_date,
                            })
                            .collect(),
                    };
                    let text = serde_json::to_string_pretty(&file).unwrap_or_default();
                    write_private(path, format!("{text}\n").as_bytes())?;
                }
                if ctx.json {
                    print_json(&json::EkoDocument {
                        provider: Provider::Eko,
                        reference_id: &got.reference_id,
                        verification_id: &got.verification_id,
                        verification_status: &got.verification_status,
                        message: &got.message,
                        documents: documents.iter().map(Identity::from).collect(),
                        saved_to: a.save.as_ref().map(|p| p.display().to_string()),
                    });
                } else {
                    let mut f = Fields::new();
                    f.add("reference id", &got.reference_id)
                        .add("verification id", &got.verification_id)
                        .opt("verification", got.verification_status.as_ref())
                        .add("documents", got.documents.len())
                        .opt("saved to", a.save.as_ref().map(|p| p.display()));
                    f.print(0);
                    for d in &documents {
                        outln!("document:");
                        print_document(d, 2);
                    }
                }
                Ok(())
            }
            EkoCommand::Callback(_) => unreachable!("handled above"),
        }
    })
}

fn print_status(ctx: &Ctx, s: &EkoStatus) {
    // Without a session to fall back on, a success that lists no consented
    // document takes the ones the status says were requested.
    let outcome = Outcome::from_eko(s).or_requested(
        s.document_requested
            .iter()
            .map(|t| DocType::from(&EkoDocType::from(t.as_str()))),
    );
    let user: Option<Profile> = s
        .user_details
        .clone()
        .filter(|u| !u.is_empty())
        .map(Profile::from);
    if ctx.json {
        print_json(&json::EkoStatus {
            provider: Provider::Eko,
            id: &s.reference_id,
            status: s.state.to_string(),
            outcome,
            verification_id: &s.verification_id,
            upstream_status: &s.upstream_status,
            message: &s.message,
            code: s.code,
            response_status_id: s.response_status_id,
            document_requested: &s.document_requested,
            user_details: user.as_ref().map(ProfileFields::from),
        });
    } else {
        let mut f = Fields::new();
        f.add("reference id", &s.reference_id)
            .add("status", &s.state)
            .add("outcome", outcome)
            .opt("verification id", s.verification_id.as_ref())
            .opt("upstream status", s.upstream_status.as_ref())
            .opt("message", s.message.as_ref());
        if let Some(u) = &user {
            profile_fields(u, &mut f);
        }
        f.print(0);
    }
}

fn photo_base64(d: &EkoDocument) -> Option<String> {
    use base64::Engine as _;
    d.photo
        .as_ref()
        .and_then(|p| p.bytes())
        .map(|b| base64::engine::general_purpose::STANDARD.encode(b))
}

/// Print what a redirect carried: only the known fields (`verification_id`,
/// `reference_id`, `status` and the state it names), masked. Other query
/// parameters are listed by name only: their values (a mobile number, a
/// token) are never printed.
fn callback(ctx: &Ctx, cb: &EkoCallback) -> Result<(), Failure> {
    let state = cb.state().map(|s| s.to_string());
    let verification_id = mask_sensitive(&cb.verification_id);
    let reference_id = cb.reference_id.as_ref().map(|r| mask_sensitive(r.as_str()));
    let status = cb.status.as_deref().map(mask_sensitive);
    let mut extra: Vec<String> = cb.extra.iter().map(|(k, _)| mask_sensitive(k)).collect();
    extra.dedup();
    if ctx.json {
        print_json(&json::EkoCallback {
            verification_id: verification_id.clone(),
            reference_id: reference_id.clone(),
            status: status.clone(),
            state: state.clone(),
            extra: extra.clone(),
        });
    } else {
        let mut f = Fields::new();
        f.add("verification id", &verification_id)
            .opt("reference id", reference_id.as_ref())
            .opt("status", status.as_ref())
            .opt("state", state);
        if !extra.is_empty() {
            f.add(
                "other params",
                format!("{} (values not shown)", extra.join(", ")),
            );
        }
        f.print(0);
        if let Some(r) = &reference_id {
            outln!("\nNext:\n  digilocker eko document {r} --verification-id {verification_id}");
        }
    }
    Ok(())
}
