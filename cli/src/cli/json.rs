//! The `--json` output of every command, as types.
//!
//! Each command prints one of the types here (or a library type:
//! [`Session`], [`Outcome`], [`Document`], [`Profile`]); [`schema`] is the
//! JSON Schema of them all, checked in as `cli/json-schema.json` and printed
//! by `digilocker schema`. The values come from the library's types as they
//! serialise (identifiers masked, photos as their size); the types here only
//! choose and name the fields of each command.

use digilocker_kyc::Provider;
use digilocker_kyc::flow::{Document, Outcome, Profile, ProviderName, Session};
use digilocker_kyc::redact::mask_id;
use schemars::JsonSchema;
use schemars::r#gen::SchemaSettings;
use serde::Serialize;
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------
// Shared
// ---------------------------------------------------------------------------

/// A failed command (`--json`): the error on stdout, its line on stderr.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ErrorOutput {
    /// What went wrong.
    pub error: ErrorBody,
}

/// What went wrong.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ErrorBody {
    /// `Error::kind()` of the library (`invalid_input`, `auth`,
    /// `session_not_found`, `not_ready`, `transport`, ...), or `usage`.
    pub kind: &'static str,
    /// The error line, numbers masked.
    pub message: String,
    /// The exit code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<u8>,
    /// The provider that answered or was asked.
    #[schemars(with = "Option<ProviderName>")]
    #[serde(skip_serializing_if = "Skip::skip")]
    pub provider: Skip<Provider>,
    /// HTTP status of the provider's answer.
    #[schemars(with = "Option<u16>")]
    #[serde(skip_serializing_if = "Skip::skip")]
    pub http_status: Skip<u16>,
    /// The provider's own error code.
    #[schemars(with = "Option<i64>")]
    #[serde(skip_serializing_if = "Skip::skip")]
    pub code: Skip<i64>,
    /// The provider's transaction id.
    #[schemars(with = "Option<String>")]
    #[serde(skip_serializing_if = "Skip::skip")]
    pub transaction_id: Skip<String>,
    /// The causes (with `--verbose`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub causes: Option<Vec<String>>,
}

/// An optional field that is printed as `null` when absent, or left out
/// altogether (for errors that never have it).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Skip<T> {
    /// Printed: the value or `null`.
    Field(Option<T>),
    /// Not printed.
    Absent,
}

impl<T> Skip<T> {
    fn skip(&self) -> bool {
        matches!(self, Skip::Absent)
    }
}

/// The identity fields of a document: the library's
/// `digilocker_kyc::flow::Document` as it serialises, without `provider`
/// (the command's output names it once).
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Identity<'a> {
    /// Document type (`aadhaar`, `pan`, `driving_license`, ...).
    #[schemars(with = "String")]
    pub kind: &'a digilocker_kyc::flow::DocType,
    /// Holder's name.
    pub name: &'a Option<String>,
    /// Date of birth (ISO 8601), when readable.
    #[schemars(with = "Option<String>")]
    pub dob: &'a Option<chrono::NaiveDate>,
    /// Date of birth as written.
    pub dob_text: &'a Option<String>,
    /// Gender as written.
    pub gender: &'a Option<String>,
    /// Document number, masked (as the issuer masked it, or all but the
    /// last four characters).
    pub masked_id: Option<String>,
    /// Address on one line.
    pub address: &'a Option<String>,
    /// Address by part, the same parts for both providers.
    pub address_parts: &'a digilocker_kyc::vocab::Address,
    /// `"<n> bytes"`, when there is a photograph.
    #[schemars(with = "Option<String>")]
    pub photo: &'a Option<digilocker_kyc::flow::Photo>,
}

impl<'a> From<&'a Document> for Identity<'a> {
    fn from(d: &'a Document) -> Self {
        Identity {
            kind: &d.kind,
            name: &d.name,
            dob: &d.dob,
            dob_text: &d.dob_text,
            gender: &d.gender,
            masked_id: d.masked_id.as_ref().map(|m| mask_id(m.expose())),
            address: &d.address,
            address_parts: &d.address_parts,
            photo: &d.photo,
        }
    }
}

/// The account holder: the library's `digilocker_kyc::flow::Profile` as it
/// serialises, without `provider`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ProfileFields<'a> {
    /// Full name.
    pub name: &'a Option<String>,
    /// Date of birth (ISO 8601), when readable.
    #[schemars(with = "Option<String>")]
    pub dob: &'a Option<chrono::NaiveDate>,
    /// Date of birth as written.
    pub dob_text: &'a Option<String>,
    /// Gender as written.
    pub gender: &'a Option<String>,
    /// Mobile number, masked.
    #[schemars(with = "Option<String>")]
    pub mobile: &'a Option<digilocker_kyc::redact::Masked>,
    /// E-mail.
    pub email: &'a Option<String>,
}

impl<'a> From<&'a Profile> for ProfileFields<'a> {
    fn from(p: &'a Profile) -> Self {
        ProfileFields {
            name: &p.name,
            dob: &p.dob,
            dob_text: &p.dob_text,
            gender: &p.gender,
            mobile: &p.mobile,
            email: &p.email,
        }
    }
}

// ---------------------------------------------------------------------------
// demo
// ---------------------------------------------------------------------------

/// `digilocker demo --json`.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DemoOutput<'a> {
    /// Where the embedded simulator listened.
    pub simulator: SimulatorUrls,
    /// One journey per provider.
    pub journeys: Vec<DemoJourney<'a>>,
}

/// The simulator's base URLs.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SimulatorUrls {
    /// The Sandbox API.
    pub sandbox_base_url: String,
    /// The Eko API.
    pub eko_base_url: String,
}

/// One provider's journey, in the library's neutral types.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DemoJourney<'a> {
    /// The provider.
    #[schemars(with = "ProviderName")]
    pub provider: Provider,
    /// The session started.
    pub session: &'a Session,
    /// Where the simulated user was sent back to.
    pub redirected_to: &'a Option<String>,
    /// The outcome waited for.
    pub outcome: &'a Outcome,
    /// The documents fetched.
    pub documents: &'a [Document],
    /// The account holder.
    pub profile: &'a Profile,
}

// ---------------------------------------------------------------------------
// sandbox
// ---------------------------------------------------------------------------

/// `sandbox verify --json`.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SandboxVerify {
    /// `sandbox`.
    #[schemars(with = "ProviderName")]
    pub provider: Provider,
    /// Whether a DigiLocker account exists.
    pub user_exists: bool,
    /// The mobile number asked about, masked.
    pub mobile: Option<String>,
    /// The Aadhaar number asked about, masked.
    pub aadhaar_number: Option<String>,
}

/// `sandbox [sdk|entity|entity-sdk] status --json`.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SandboxStatus<'a> {
    /// `sandbox`.
    #[schemars(with = "ProviderName")]
    pub provider: Provider,
    /// `digilocker`, `digilocker_sdk`, `entitylocker` or `entitylocker_sdk`.
    pub api: &'a str,
    /// The session id.
    pub id: &'a str,
    /// Sandbox's status word.
    pub status: &'a str,
    /// The neutral outcome (`Outcome::from_sandbox`).
    pub outcome: Outcome,
    /// The consented documents, when Sandbox lists them.
    pub documents_consented: Option<Vec<String>>,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
    /// Last change, milliseconds since the epoch.
    pub updated_at: Option<i64>,
    /// Sandbox transaction id.
    pub transaction_id: &'a str,
}

/// `sandbox [sdk|entity|entity-sdk] document --json`.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SandboxDocument<'a> {
    /// `sandbox`.
    #[schemars(with = "ProviderName")]
    pub provider: Provider,
    /// The API (see `SandboxStatus`).
    pub api: &'a str,
    /// The session id.
    pub id: &'a str,
    /// The document type.
    pub doc_type: String,
    /// Sandbox transaction id.
    pub transaction_id: &'a str,
    /// The document's files.
    pub files: Vec<SandboxFile<'a>>,
}

/// One file of a Sandbox document.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SandboxFile<'a> {
    /// MIME type.
    pub content_type: Option<&'a str>,
    /// Size in bytes, as reported.
    pub size: Option<u64>,
    /// Issuer's name.
    pub issuer: Option<&'a str>,
    /// Issuer's id.
    pub issuer_id: Option<&'a str>,
    /// What the file is.
    pub description: Option<&'a str>,
    /// Last change, as reported.
    pub last_modified: Option<&'a str>,
    /// The link without its query (its signature).
    pub link: Option<String>,
    /// Where `--save` wrote it.
    pub saved_to: Option<String>,
    /// The identity fields, when the saved file is XML.
    pub identity: Option<Identity<'a>>,
}

/// `sandbox [sdk|entity] profile --json`.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SandboxProfile<'a> {
    /// `sandbox`.
    #[schemars(with = "ProviderName")]
    pub provider: Provider,
    /// The API (see `SandboxStatus`).
    pub api: &'a str,
    /// DigiLocker id.
    pub digilocker_id: &'a str,
    /// The neutral profile's fields.
    #[serde(flatten)]
    pub profile: ProfileFields<'a>,
    /// Whether the user has an e-Aadhaar.
    pub eaadhaar: bool,
    /// Sandbox transaction id.
    pub transaction_id: &'a str,
}

/// `sandbox sdk create --json`, `sandbox entity-sdk create --json`.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SandboxSdkSession<'a> {
    /// `sandbox`.
    #[schemars(with = "ProviderName")]
    pub provider: Provider,
    /// `digilocker_sdk` or `entitylocker_sdk`.
    pub api: &'a str,
    /// Session id.
    pub id: &'a str,
    /// Status at creation.
    pub status: &'a str,
    /// Creation time, milliseconds since the epoch.
    pub created_at: Option<i64>,
    /// Sandbox transaction id.
    pub transaction_id: &'a str,
}

/// `sandbox entity start --json`.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SandboxEntityStart<'a> {
    /// `sandbox`.
    #[schemars(with = "ProviderName")]
    pub provider: Provider,
    /// `entitylocker`.
    pub api: &'a str,
    /// Session id.
    pub id: &'a str,
    /// Where to send the user.
    pub authorization_url: &'a str,
    /// Sandbox transaction id.
    pub transaction_id: &'a str,
}

/// `sandbox entity details --json`.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SandboxEntityDetails<'a> {
    /// `sandbox`.
    #[schemars(with = "ProviderName")]
    pub provider: Provider,
    /// Entity id.
    pub id: &'a str,
    /// Registered name.
    pub name: &'a str,
    /// Date of incorporation, as sent.
    pub date_of_incorporation: &'a str,
    /// E-mail.
    pub email: &'a str,
    /// Mobile number, masked.
    pub mobile: String,
    /// How it was verified (`pan`, `ud`, `cin`).
    pub verified_by: &'a str,
    /// Sandbox transaction id.
    pub transaction_id: &'a str,
}

// ---------------------------------------------------------------------------
// eko
// ---------------------------------------------------------------------------

/// `eko status --json`.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct EkoStatus<'a> {
    /// `eko`.
    #[schemars(with = "ProviderName")]
    pub provider: Provider,
    /// Eko's reference_id.
    #[schemars(with = "String")]
    pub id: &'a digilocker_kyc::eko::ReferenceId,
    /// The verification state.
    pub status: String,
    /// The neutral outcome (`Outcome::from_eko`, a success without a list
    /// taking `document_requested`).
    pub outcome: Outcome,
    /// Eko's verification_id, once known.
    pub verification_id: &'a Option<String>,
    /// Eko's status word.
    pub upstream_status: &'a Option<String>,
    /// Eko's message.
    pub message: &'a Option<String>,
    /// Eko's `status` code.
    pub code: i64,
    /// Eko's `response_status_id`.
    pub response_status_id: Option<i64>,
    /// The documents requested.
    pub document_requested: &'a [String],
    /// The user's details, once consented.
    pub user_details: Option<ProfileFields<'a>>,
}

/// `eko document --json`.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct EkoDocument<'a> {
    /// `eko`.
    #[schemars(with = "ProviderName")]
    pub provider: Provider,
    /// Eko's reference_id.
    #[schemars(with = "String")]
    pub reference_id: &'a digilocker_kyc::eko::ReferenceId,
    /// Eko's verification_id.
    pub verification_id: &'a str,
    /// Eko's verification status word.
    pub verification_status: &'a Option<String>,
    /// Eko's message.
    pub message: &'a Option<String>,
    /// The documents.
    pub documents: Vec<Identity<'a>>,
    /// Where `--save` wrote them.
    pub saved_to: Option<String>,
}

/// The file `eko document --save` writes (not printed): the output without
/// `saved_to`, each document with its photo and two more fields.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct EkoSavedDocuments<'a> {
    /// `eko`.
    #[schemars(with = "ProviderName")]
    pub provider: Provider,
    /// Eko's reference_id.
    #[schemars(with = "String")]
    pub reference_id: &'a digilocker_kyc::eko::ReferenceId,
    /// Eko's verification_id.
    pub verification_id: &'a str,
    /// Eko's verification status word.
    pub verification_status: &'a Option<String>,
    /// Eko's message.
    pub message: &'a Option<String>,
    /// The documents.
    pub documents: Vec<EkoSavedDocument<'a>>,
}

/// A saved Eko document.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct EkoSavedDocument<'a> {
    /// The identity fields.
    #[serde(flatten)]
    pub identity: Identity<'a>,
    /// The photograph, base64.
    pub photo_base64: Option<String>,
    /// "Care of", as sent.
    pub care_of: &'a Option<String>,
    /// Issue date, as sent.
    pub issue_date: &'a Option<String>,
}

/// `eko callback --json`.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct EkoCallback {
    /// The verification_id, masked where it looks like a number.
    pub verification_id: String,
    /// The reference_id, when present.
    pub reference_id: Option<String>,
    /// The status word, when present.
    pub status: Option<String>,
    /// The state it names.
    pub state: Option<String>,
    /// The names of the other query parameters (values never printed).
    pub extra: Vec<String>,
}

// ---------------------------------------------------------------------------
// simulate
// ---------------------------------------------------------------------------

/// `simulate --json`: the simulator's URLs and synthetic credentials.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SimulateOutput {
    /// The Sandbox API.
    pub sandbox_base_url: String,
    /// The Eko API.
    pub eko_base_url: String,
    /// Sandbox credentials (synthetic).
    pub sandbox: SimulatedSandbox,
    /// Eko credentials (synthetic).
    pub eko: SimulatedEko,
    /// The environment for the `sandbox` and `eko` commands, in the order
    /// of the printed `export` lines.
    #[schemars(with = "BTreeMap<String, String>")]
    pub env: serde_json::Map<String, serde_json::Value>,
}

/// The simulator's Sandbox credentials.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SimulatedSandbox {
    /// API key.
    pub api_key: String,
    /// API secret.
    pub api_secret: String,
}

/// The simulator's Eko credentials.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SimulatedEko {
    /// developer_key.
    pub developer_key: String,
    /// Access key.
    pub access_key: String,
    /// initiator_id.
    pub initiator_id: String,
    /// user_code.
    pub user_code: String,
}

// ---------------------------------------------------------------------------
// The schema
// ---------------------------------------------------------------------------

/// Each command's output type by definition name, in the order of the
/// schema's `anyOf`.
macro_rules! outputs {
    ($g:ident; $($t:ty),+ $(,)?) => {
        vec![$($g.subschema_for::<$t>()),+]
    };
}

/// The JSON Schema (draft 7) of every command's `--json` output: one
/// definition per shape, the document itself any of them.
pub fn schema() -> serde_json::Value {
    let mut g = SchemaSettings::draft07().into_generator();
    let any_of = outputs![g;
        ErrorOutput,
        DemoOutput<'static>,
        Session,
        SandboxVerify,
        SandboxStatus<'static>,
        SandboxDocument<'static>,
        SandboxProfile<'static>,
        SandboxSdkSession<'static>,
        SandboxEntityStart<'static>,
        SandboxEntityDetails<'static>,
        EkoStatus<'static>,
        EkoDocument<'static>,
        EkoSavedDocuments<'static>,
        EkoCallback,
        SimulateOutput,
    ];
    serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "digilocker --json",
        "description": "What the `digilocker` command-line tool prints on stdout with --json: \
                        one definition per command's output (see `definitions`); errors are \
                        ErrorOutput.",
        "anyOf": any_of,
        "definitions": g.definitions(),
    })
}

/// The schema as `digilocker schema` prints it (and `cli/json-schema.json`
/// holds it): pretty, with a final newline.
pub fn schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&schema()).expect("a schema serialises");
    s.push('\n');
    s
}
