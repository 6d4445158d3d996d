//! `digilocker sandbox ...`: every Sandbox operation from a terminal.
//!
//! JSON shapes (`--json`), stable field names:
//!
//! - `verify`: `{provider, user_exists, mobile, aadhaar_number}` (numbers
//!   masked);
//! - `start`: the neutral session `{provider, id, authorization_url,
//!   requested}`;
//! - `status` (every API): `{provider, api, id, status, outcome: {state,
//!   consented?}, documents_consented, created_at, updated_at,
//!   transaction_id}`;
//! - `document` (every API): `{provider, api, id, doc_type, transaction_id,
//!   files: [{content_type, size, issuer, issuer_id, description,
//!   last_modified, link, saved_to, identity}]}`;
//! - `profile`: `{provider, api, digilocker_id, name, dob, dob_text, gender,
//!   mobile, email, eaadhaar, transaction_id}`;
//! - `sdk create`, `entity-sdk create`: `{provider, api, id, status,
//!   created_at, transaction_id}`;
//! - `entity start`: `{provider, api, id, authorization_url,
//!   transaction_id}`;
//! - `entity details`: `{provider, id, name, date_of_incorporation, email,
//!   mobile, verified_by, transaction_id}`.

use super::Failure;
use super::json::{
    Identity, ProfileFields, SandboxDocument, SandboxEntityDetails, SandboxEntityStart,
    SandboxFile, SandboxProfile, SandboxSdkSession, SandboxStatus, SandboxVerify,
};
use super::output::{
    Ctx, Fields, ProgressLine, SandboxCreds, WaitArgs, extension_for, print_document, print_json,
    print_started, profile_fields, report, runtime, save_path, time_ms, url_for_display,
    write_private, yes_no,
};
use clap::{Args, Subcommand, ValueEnum};
use digilocker_kyc::flow::{DigiLocker, Outcome, poll_until};
use digilocker_kyc::sandbox::{
    CreateSdkSession, DocKind, DocType, Document, EntityDocType, Flow, SessionState,
    StartEntitySession, UserProfile, VerifyUser,
};
use digilocker_kyc::{Error, Provider, SandboxClient};
use std::future::Future;
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  export SANDBOX_API_KEY=key_test_... SANDBOX_API_SECRET=...
  digilocker sandbox verify --mobile 9876543210
  digilocker sandbox start --doc aadhaar --doc pan --redirect https://app.example/kyc/done
  digilocker sandbox status SESSION_ID --wait --timeout 10m
  digilocker sandbox document SESSION_ID aadhaar --save aadhaar.xml
  digilocker sandbox profile SESSION_ID --json";

/// `digilocker sandbox`: credentials and the operation.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct SandboxArgs {
    #[command(flatten)]
    creds: SandboxCreds,
    #[command(subcommand)]
    command: SandboxCommand,
}

/// The Sandbox operations.
#[derive(Debug, Subcommand)]
enum SandboxCommand {
    /// Whether a DigiLocker account exists for a mobile and/or Aadhaar number.
    #[command(
        after_help = "Examples:\n  digilocker sandbox verify --mobile 9876543210\n  \
                            digilocker sandbox verify --aadhaar 123456789012 --json"
    )]
    Verify(VerifyArgs),
    /// Start a DigiLocker consent session and print the link to send the user to.
    #[command(
        after_help = "Example:\n  digilocker sandbox start --doc aadhaar --doc pan \
                            --redirect https://app.example/kyc/done --flow signin"
    )]
    Start(StartArgs),
    /// Where a DigiLocker session stands (optionally waiting until it settles).
    #[command(after_help = "Examples:\n  digilocker sandbox status SESSION_ID\n  \
                            digilocker sandbox status SESSION_ID --wait --timeout 10m --interval 2s")]
    Status(StatusArgs),
    /// A consented document's files (metadata; --save downloads them).
    #[command(
        after_help = "Example:\n  digilocker sandbox document SESSION_ID aadhaar --save aadhaar.xml"
    )]
    Document(DocumentArgs),
    /// The DigiLocker account holder's profile.
    #[command(after_help = "Example:\n  digilocker sandbox profile SESSION_ID")]
    Profile(IdArg),
    /// The client-side DigiLocker SDK sessions.
    #[command(
        subcommand,
        after_help = "Example:\n  digilocker sandbox sdk create --doc aadhaar"
    )]
    Sdk(SdkCommand),
    /// EntityLocker: business documents (MCA, GSTN, Udyam).
    #[command(
        subcommand,
        after_help = "Example:\n  digilocker sandbox entity start --redirect https://app.example/kyb/done"
    )]
    Entity(EntityCommand),
    /// The client-side EntityLocker SDK sessions.
    #[command(
        subcommand,
        after_help = "Example:\n  digilocker sandbox entity-sdk create --doc gstn_details"
    )]
    EntitySdk(EntitySdkCommand),
}

/// `sandbox sdk ...`
#[derive(Debug, Subcommand)]
enum SdkCommand {
    /// Create a DigiLocker SDK session (hand its id to the SDK).
    #[command(after_help = "Example:\n  digilocker sandbox sdk create --doc aadhaar --doc pan")]
    Create(SdkCreateArgs),
    /// Where a DigiLocker SDK session stands.
    #[command(after_help = "Example:\n  digilocker sandbox sdk status SESSION_ID --wait")]
    Status(StatusArgs),
    /// A document of a DigiLocker SDK session.
    #[command(
        after_help = "Example:\n  digilocker sandbox sdk document SESSION_ID aadhaar --save out/"
    )]
    Document(DocumentArgs),
    /// The profile of a DigiLocker SDK session's user.
    #[command(after_help = "Example:\n  digilocker sandbox sdk profile SESSION_ID")]
    Profile(IdArg),
}

/// `sandbox entity ...`
#[derive(Debug, Subcommand)]
enum EntityCommand {
    /// Start an EntityLocker consent session.
    #[command(
        after_help = "Example:\n  digilocker sandbox entity start --redirect https://app.example/kyb/done"
    )]
    Start(EntityStartArgs),
    /// Where an EntityLocker session stands.
    #[command(after_help = "Example:\n  digilocker sandbox entity status SESSION_ID --wait")]
    Status(StatusArgs),
    /// A consented EntityLocker document (company_master_details, gstn_details,
    /// udhyam_certificate).
    #[command(
        after_help = "Example:\n  digilocker sandbox entity document SESSION_ID gstn_details --save gstn.pdf"
    )]
    Document(DocumentArgs),
    /// The business behind an EntityLocker session.
    #[command(after_help = "Example:\n  digilocker sandbox entity details SESSION_ID")]
    Details(IdArg),
    /// The person who signed in to EntityLocker.
    #[command(after_help = "Example:\n  digilocker sandbox entity profile SESSION_ID")]
    Profile(IdArg),
}

/// `sandbox entity-sdk ...`
#[derive(Debug, Subcommand)]
enum EntitySdkCommand {
    /// Create an EntityLocker SDK session.
    #[command(after_help = "Example:\n  digilocker sandbox entity-sdk create --doc gstn_details")]
    Create(SdkCreateArgs),
    /// Where an EntityLocker SDK session stands.
    #[command(after_help = "Example:\n  digilocker sandbox entity-sdk status SESSION_ID")]
    Status(StatusArgs),
    /// A document of an EntityLocker SDK session.
    #[command(
        after_help = "Example:\n  digilocker sandbox entity-sdk document SESSION_ID gstn_details --save gstn.pdf"
    )]
    Document(DocumentArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("who").required(true).multiple(true).args(["mobile", "aadhaar"])))]
struct VerifyArgs {
    /// 10-digit mobile number (never printed in full).
    #[arg(long, value_name = "NUMBER")]
    mobile: Option<String>,
    /// 12-digit Aadhaar number (never printed in full).
    #[arg(long, value_name = "NUMBER")]
    aadhaar: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FlowArg {
    /// The user has a DigiLocker account.
    Signin,
    /// Create an account during the journey.
    Signup,
}

impl From<FlowArg> for Flow {
    fn from(f: FlowArg) -> Flow {
        match f {
            FlowArg::Signin => Flow::Signin,
            FlowArg::Signup => Flow::Signup,
        }
    }
}

#[derive(Debug, Args)]
struct StartArgs {
    /// Document to ask consent for (repeat for several): aadhaar, pan,
    /// driving_license.
    #[arg(long = "doc", value_name = "TYPE", default_value = "aadhaar")]
    docs: Vec<String>,
    /// Where DigiLocker sends the user back (https://).
    #[arg(long, value_name = "URL")]
    redirect: String,
    /// DigiLocker journey.
    #[arg(long, value_enum, default_value = "signin")]
    flow: FlowArg,
}

#[derive(Debug, Args)]
struct EntityStartArgs {
    /// Where EntityLocker sends the user back (https://).
    #[arg(long, value_name = "URL")]
    redirect: String,
    /// EntityLocker journey.
    #[arg(long, value_enum, default_value = "signin")]
    flow: FlowArg,
}

#[derive(Debug, Args)]
struct SdkCreateArgs {
    /// Document to ask consent for (repeat for several). DigiLocker: aadhaar,
    /// pan, driving_license; EntityLocker: company_master_details,
    /// gstn_details, udhyam_certificate.
    #[arg(long = "doc", value_name = "TYPE", required = true)]
    docs: Vec<String>,
    /// Journey.
    #[arg(long, value_enum, default_value = "signin")]
    flow: FlowArg,
}

#[derive(Debug, Args)]
struct StatusArgs {
    /// The session id.
    id: String,
    #[command(flatten)]
    wait: WaitArgs,
}

#[derive(Debug, Args)]
struct DocumentArgs {
    /// The session id.
    id: String,
    /// The document type (aadhaar, pan, driving_license; for EntityLocker
    /// company_master_details, gstn_details, udhyam_certificate).
    doc_type: String,
    /// Download the file(s) here: a file path (a second file gets `-2`
    /// before the extension) or an existing directory. Written readable by
    /// you only (0600): a new file renamed into place, so an existing file
    /// or symbolic link there is replaced, never written through.
    #[arg(long, value_name = "PATH")]
    save: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct IdArg {
    /// The session id.
    id: String,
}

/// Run a `sandbox` subcommand.
pub fn run(args: SandboxArgs, ctx: &Ctx) -> Result<(), Failure> {
    let rt = runtime()?;
    rt.block_on(async {
        // Requests are checked before the client exists, so a validation
        // error never needs credentials and never reaches the network.
        let client = || args.creds.client(ctx);
        let e = |err: Error| report(&err, ctx, None);
        match args.command {
            SandboxCommand::Verify(a) => {
                let mut req = VerifyUser::default();
                if let Some(m) = &a.mobile {
                    req = req.and_mobile(m.trim()).map_err(e)?;
                }
                if let Some(n) = &a.aadhaar {
                    req = req.and_aadhaar(n.trim()).map_err(e)?;
                }
                let masked_mobile = req.mobile.as_ref().map(|m| m.masked());
                let masked_aadhaar = req.aadhaar_number.as_ref().map(|m| m.masked());
                let exists = client()?.verify_user(req).await.map_err(e)?;
                if ctx.json {
                    print_json(&SandboxVerify {
                        provider: Provider::Sandbox,
                        user_exists: exists,
                        mobile: masked_mobile,
                        aadhaar_number: masked_aadhaar,
                    });
                } else {
                    let mut f = Fields::new();
                    f.opt("mobile", masked_mobile)
                        .opt("aadhaar", masked_aadhaar)
                        .add("user exists", yes_no(exists));
                    f.print(0);
                    if !exists {
                        outln!("(start the session with --flow signup)");
                    }
                }
                Ok(())
            }
            SandboxCommand::Start(a) => {
                let docs: Vec<DocType> = a.docs.iter().map(|d| DocType::from(d.trim())).collect();
                // Validate before building the client (no network, no credentials).
                digilocker_kyc::sandbox::StartSession::new(
                    a.flow.into(),
                    docs.clone(),
                    &a.redirect,
                )
                .map_err(e)?;
                let kyc = DigiLocker::sandbox(client()?).with_sandbox_flow(a.flow.into());
                let session = kyc.start(docs, &a.redirect).await.map_err(e)?;
                print_started(ctx, &session, "session id", "sandbox");
                Ok(())
            }
            SandboxCommand::Status(a) => {
                let c = client()?;
                status(ctx, "digilocker", &a, || c.session_status(&a.id)).await
            }
            SandboxCommand::Document(a) => {
                let kind = DocType::from(a.doc_type.trim());
                let c = client()?;
                let doc = c.document(&a.id, kind).await.map_err(e)?;
                document(ctx, &c, "digilocker", &a, doc).await
            }
            SandboxCommand::Profile(a) => {
                let p = client()?.user_profile(&a.id).await.map_err(e)?;
                profile(ctx, "digilocker", p);
                Ok(())
            }
            SandboxCommand::Sdk(cmd) => match cmd {
                SdkCommand::Create(a) => {
                    let docs: Vec<DocType> =
                        a.docs.iter().map(|d| DocType::from(d.trim())).collect();
                    let req = CreateSdkSession::new(a.flow.into(), docs).map_err(e)?;
                    let s = client()?.sdk_create_session(req).await.map_err(e)?;
                    sdk_session(ctx, "digilocker_sdk", &s);
                    Ok(())
                }
                SdkCommand::Status(a) => {
                    let c = client()?;
                    status(ctx, "digilocker_sdk", &a, || c.sdk_session_status(&a.id)).await
                }
                SdkCommand::Document(a) => {
                    let kind = DocType::from(a.doc_type.trim());
                    let c = client()?;
                    let doc = c.sdk_document(&a.id, kind).await.map_err(e)?;
                    document(ctx, &c, "digilocker_sdk", &a, doc).await
                }
                SdkCommand::Profile(a) => {
                    let p = client()?.sdk_user_profile(&a.id).await.map_err(e)?;
                    profile(ctx, "digilocker_sdk", p);
                    Ok(())
                }
            },
            SandboxCommand::Entity(cmd) => match cmd {
                EntityCommand::Start(a) => {
                    let req = StartEntitySession::new(a.flow.into(), &a.redirect).map_err(e)?;
                    let s = client()?.entity_start_session(req).await.map_err(e)?;
                    if ctx.json {
                        print_json(&SandboxEntityStart {
                            provider: Provider::Sandbox,
                            api: "entitylocker",
                            id: &s.id,
                            authorization_url: &s.authorization_url,
                            transaction_id: &s.transaction_id,
                        });
                    } else {
                        let mut f = Fields::new();
                        f.add("session id", &s.id)
                            .add("consent link", &s.authorization_url)
                            .add("transaction id", &s.transaction_id);
                        f.print(0);
                    }
                    Ok(())
                }
                EntityCommand::Status(a) => {
                    let c = client()?;
                    status(ctx, "entitylocker", &a, || c.entity_session_status(&a.id)).await
                }
                EntityCommand::Document(a) => {
                    let kind = EntityDocType::from(a.doc_type.trim());
                    let c = client()?;
                    let doc = c.entity_document(&a.id, kind).await.map_err(e)?;
                    document(ctx, &c, "entitylocker", &a, doc).await
                }
                EntityCommand::Details(a) => {
                    let d = client()?.entity_details(&a.id).await.map_err(e)?;
                    if ctx.json {
                        print_json(&SandboxEntityDetails {
                            provider: Provider::Sandbox,
                            id: &d.id,
                            name: &d.name,
                            date_of_incorporation: &d.date_of_incorporation,
                            email: &d.email,
                            mobile: d.mobile.masked(),
                            verified_by: d.verified_by.as_str(),
                            transaction_id: &d.transaction_id,
                        });
                    } else {
                        let mut f = Fields::new();
                        f.add("entity id", &d.id)
                            .add("name", &d.name)
                            .add("incorporated", &d.date_of_incorporation)
                            .add("email", &d.email)
                            .add("mobile", d.mobile.masked())
                            .add("verified by", d.verified_by.as_str())
                            .add("transaction id", &d.transaction_id);
                        f.print(0);
                    }
                    Ok(())
                }
                EntityCommand::Profile(a) => {
                    let p = client()?.entity_user_profile(&a.id).await.map_err(e)?;
                    profile(ctx, "entitylocker", p);
                    Ok(())
                }
            },
            SandboxCommand::EntitySdk(cmd) => match cmd {
                EntitySdkCommand::Create(a) => {
                    let docs: Vec<EntityDocType> = a
                        .docs
                        .iter()
                        .map(|d| EntityDocType::from(d.trim()))
                        .collect();
                    let req = CreateSdkSession::new(a.flow.into(), docs).map_err(e)?;
                    let s = client()?.entity_sdk_create_session(req).await.map_err(e)?;
                    sdk_session(ctx, "entitylocker_sdk", &s);
                    Ok(())
                }
                EntitySdkCommand::Status(a) => {
                    let c = client()?;
                    status(ctx, "entitylocker_sdk", &a, || {
                        c.entity_sdk_session_status(&a.id)
                    })
                    .await
                }
                EntitySdkCommand::Document(a) => {
                    let kind = EntityDocType::from(a.doc_type.trim());
                    let c = client()?;
                    let doc = c.entity_sdk_document(&a.id, kind).await.map_err(e)?;
                    document(ctx, &c, "entitylocker_sdk", &a, doc).await
                }
            },
        }
    })
}

/// Ask once, or poll until settled with `--wait`, and print the state.
async fn status<D, F, Fut>(
    ctx: &Ctx,
    api: &str,
    a: &StatusArgs,
    mut fetch: F,
) -> Result<(), Failure>
where
    D: DocKind,
    F: FnMut() -> Fut,
    Fut: Future<Output = digilocker_kyc::Result<SessionState<D>>>,
{
    let state = if a.wait.wait {
        let mut line = ProgressLine::new();
        let r = poll_until(&a.wait.policy(), &mut fetch, |p| {
            line.update(p, |s: &SessionState<D>| s.status.to_string())
        })
        .await;
        line.finish();
        r
    } else {
        fetch().await
    }
    .map_err(|err| report(&err, ctx, None))?;
    let consented: Option<Vec<String>> = state
        .documents_consented
        .as_ref()
        .map(|d| d.iter().map(|x| x.to_string()).collect());
    let outcome = Outcome::from_sandbox(&state);
    if ctx.json {
        print_json(&SandboxStatus {
            provider: Provider::Sandbox,
            api,
            id: &state.id,
            status: state.status.as_str(),
            outcome,
            documents_consented: consented,
            created_at: state.created_at,
            updated_at: state.updated_at,
            transaction_id: &state.transaction_id,
        });
    } else {
        let mut f = Fields::new();
        f.add("session id", &state.id)
            .add("status", state.status.as_str())
            .add("outcome", outcome)
            .opt("consented", consented.map(|c| c.join(", ")))
            .add("created", time_ms(state.created_at))
            .opt("updated", state.updated_at.map(time_ms))
            .add("transaction id", &state.transaction_id);
        f.print(0);
    }
    Ok(())
}

/// Print a document's files; with `--save`, download them first (an XML
/// file saved is also read into the neutral document's identity fields).
async fn document<D: DocKind>(
    ctx: &Ctx,
    client: &SandboxClient,
    api: &str,
    a: &DocumentArgs,
    doc: Document<D>,
) -> Result<(), Failure> {
    let mut files = Vec::new();
    for (n, file) in doc.files.iter().enumerate() {
        let mut saved_to = None;
        let mut identity = None;
        if let Some(path) = a.save.as_ref().filter(|_| file.url.is_some()) {
            let bytes = client
                .download(file)
                .await
                .map_err(|err| report(&err, ctx, None))?;
            let ext = extension_for(file.content_type(), &bytes);
            let target = save_path(path, &doc.doc_type.to_string(), ext, n);
            write_private(&target, &bytes)?;
            saved_to = Some(target.display().to_string());
            if ext == "xml" {
                identity =
                    digilocker_kyc::flow::Document::from_sandbox_file(doc.clone(), file, bytes)
                        .ok();
            }
        }
        files.push((file, saved_to, identity));
    }
    if ctx.json {
        print_json(&SandboxDocument {
            provider: Provider::Sandbox,
            api,
            id: &a.id,
            doc_type: doc.doc_type.to_string(),
            transaction_id: &doc.transaction_id,
            files: files
                .iter()
                .map(|(f, saved_to, identity)| {
                    let m = f.metadata.as_ref();
                    SandboxFile {
                        content_type: f.content_type(),
                        size: f.size,
                        issuer: m.map(|m| m.issuer.as_str()),
                        issuer_id: m.map(|m| m.issuer_id.as_str()),
                        description: m.map(|m| m.description.as_str()),
                        last_modified: m.map(|m| m.last_modified.as_str()),
                        link: f.url.as_deref().map(url_for_display),
                        saved_to: saved_to.clone(),
                        identity: identity.as_ref().map(Identity::from),
                    }
                })
                .collect(),
        });
    } else {
        let mut f = Fields::new();
        f.add("session id", &a.id)
            .add("document", &doc.doc_type)
            .add("files", doc.files.len())
            .add("transaction id", &doc.transaction_id);
        f.print(0);
        for (i, (file, saved_to, identity)) in files.iter().enumerate() {
            outln!("file {}:", i + 1);
            let m = file.metadata.as_ref();
            let mut f = Fields::new();
            f.opt("description", m.map(|m| &m.description))
                .opt("content type", file.content_type())
                .opt("size", file.size.map(|s| format!("{s} bytes")))
                .opt(
                    "issuer",
                    m.map(|m| format!("{} ({})", m.issuer, m.issuer_id)),
                )
                .opt("last modified", m.map(|m| &m.last_modified))
                .opt("saved to", saved_to.as_ref());
            f.print(2);
            if let Some(id) = identity {
                print_document(id, 2);
            }
        }
        if a.save.is_none() && !doc.files.is_empty() {
            outln!("(pass --save PATH to download)");
        }
    }
    Ok(())
}

fn profile(ctx: &Ctx, api: &str, p: UserProfile) {
    let (id, eaadhaar, transaction_id) = (p.id.clone(), p.eaadhaar, p.transaction_id.clone());
    let neutral = digilocker_kyc::flow::Profile::from(p);
    if ctx.json {
        print_json(&SandboxProfile {
            provider: Provider::Sandbox,
            api,
            digilocker_id: &id,
            profile: ProfileFields::from(&neutral),
            eaadhaar,
            transaction_id: &transaction_id,
        });
    } else {
        let mut f = Fields::new();
        f.add("digilocker id", &id);
        profile_fields(&neutral, &mut f);
        f.add("e-aadhaar", yes_no(eaadhaar))
            .add("transaction id", &transaction_id);
        f.print(0);
    }
}

fn sdk_session(ctx: &Ctx, api: &str, s: &digilocker_kyc::sandbox::SdkSession) {
    if ctx.json {
        print_json(&SandboxSdkSession {
            provider: Provider::Sandbox,
            api,
            id: &s.id,
            status: s.status.as_str(),
            created_at: s.created_at,
            transaction_id: &s.transaction_id,
        });
    } else {
        let mut f = Fields::new();
        f.add("session id", &s.id)
            .add("status", s.status.as_str())
            .opt("created", s.created_at.map(time_ms))
            .add("transaction id", &s.transaction_id);
        f.print(0);
    }
}
