//! Requests and responses of the Sandbox facade.
//!
//! Requests carry only what the caller chooses (`@entity` and the auth
//! headers are the client's business); constructors check what they can at
//! once and the client checks everything again before sending. Responses are
//! the generated types mapped into stable, forward-compatible shapes:
//! enums have an `Unknown(String)` variant, optional data is `Option`, and
//! personal identifiers are [`Masked`] in `Debug`.

use super::validate;
use crate::error::Result;
use crate::redact::{Masked, MaskedDebug, UrlWithoutQuery, url_for_display};
pub use crate::vocab::DateOfBirth;
use crate::vocab::open_enum;
use crate::vocab::parse_date_text;
use chrono::{DateTime, NaiveDate, Utc};
use std::fmt;

open_enum! {
    /// A DigiLocker document type.
    DocType {
        /// Aadhaar (DigiLocker doctype `ADHAR`, issuer `in.gov.uidai`).
        Aadhaar => "aadhaar",
        /// PAN card (`PANCR`).
        Pan => "pan",
        /// Driving licence (`DRVLC`).
        DrivingLicense => "driving_license",
    }
}

open_enum! {
    /// An EntityLocker (business) document type.
    EntityDocType {
        /// Company master details (MCA).
        CompanyMasterDetails => "company_master_details",
        /// GSTN details.
        GstnDetails => "gstn_details",
        /// Udyam registration certificate.
        UdhyamCertificate => "udhyam_certificate",
    }
}

open_enum! {
    /// Where a consent session stands.
    ///
    /// DigiLocker sessions go `created` → (`initialized` → `authorized`, SDK
    /// only) → `succeeded`, `failed` or `expired`.
    SessionStatus {
        /// Created; the user has not opened the link yet.
        Created => "created",
        /// The SDK session was opened by the user (SDK variants).
        Initialized => "initialized",
        /// The user signed in to DigiLocker (SDK variants).
        Authorized => "authorized",
        /// The user consented; documents can be fetched.
        Succeeded => "succeeded",
        /// The user declined or the journey failed.
        Failed => "failed",
        /// The session timed out.
        Expired => "expired",
    }
}

impl SessionStatus {
    /// Whether the session can no longer change: `Succeeded`, `Failed` or
    /// `Expired`. Unknown values are not terminal.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            SessionStatus::Succeeded | SessionStatus::Failed | SessionStatus::Expired
        )
    }

    /// Whether documents can be fetched.
    pub fn is_success(&self) -> bool {
        matches!(self, SessionStatus::Succeeded)
    }
}

open_enum! {
    /// How an EntityLocker entity was verified.
    VerifiedBy {
        /// By PAN.
        Pan => "pan",
        /// By Udyam registration.
        Ud => "ud",
        /// By Corporate Identification Number.
        Cin => "cin",
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::DocType {}
    impl Sealed for super::EntityDocType {}
}

/// Document types of a DigiLocker or an EntityLocker session
/// ([`DocType`] or [`EntityDocType`]; not implementable outside the crate).
pub trait DocKind:
    sealed::Sealed
    + Clone
    + PartialEq
    + fmt::Debug
    + fmt::Display
    + From<String>
    + Send
    + Sync
    + 'static
{
    /// The value as it appears on the wire.
    fn wire(&self) -> &str;
    /// Whether the crate knows the value (unknown ones cannot be sent).
    fn known(&self) -> bool;
}

impl DocKind for DocType {
    fn wire(&self) -> &str {
        self.as_str()
    }
    fn known(&self) -> bool {
        self.is_known()
    }
}

impl DocKind for EntityDocType {
    fn wire(&self) -> &str {
        self.as_str()
    }
    fn known(&self) -> bool {
        self.is_known()
    }
}

/// DigiLocker journey: sign in to an existing account or sign up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flow {
    /// The user already has a DigiLocker account.
    Signin,
    /// Create a DigiLocker account during the journey.
    Signup,
}

impl Flow {
    /// The value as it appears on the wire.
    pub fn as_str(&self) -> &'static str {
        match self {
            Flow::Signin => "signin",
            Flow::Signup => "signup",
        }
    }
}

impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A way the user may verify themselves during DigiLocker sign-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerificationMethod {
    /// Aadhaar.
    Aadhaar,
    /// PAN.
    Pan,
    /// Driving licence.
    DrivingLicense,
    /// E-mail.
    Email,
    /// Username.
    Username,
    /// Mobile number.
    Mobile,
    /// Other.
    Other,
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/// Does this person have a DigiLocker account? At least one of the two
/// identifiers is required (the rule comes from the spec); both are allowed.
///
/// `Debug` shows the identifiers masked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct VerifyUser {
    /// 12-digit Aadhaar number.
    pub aadhaar_number: Option<Masked>,
    /// 10-digit mobile number without country code.
    pub mobile: Option<Masked>,
}

impl VerifyUser {
    /// Check by mobile number (`^[0-9]{10}$`).
    pub fn mobile(mobile: impl Into<String>) -> Result<Self> {
        VerifyUser::default().and_mobile(mobile)
    }

    /// Check by Aadhaar number (`^[0-9]{12}$`).
    pub fn aadhaar(aadhaar_number: impl Into<String>) -> Result<Self> {
        VerifyUser::default().and_aadhaar(aadhaar_number)
    }

    /// Add (or replace) the mobile number.
    pub fn and_mobile(mut self, mobile: impl Into<String>) -> Result<Self> {
        let m = Masked::new(mobile.into());
        validate::verify_mobile(&m)?;
        self.mobile = Some(m);
        Ok(self)
    }

    /// Add (or replace) the Aadhaar number.
    pub fn and_aadhaar(mut self, aadhaar_number: impl Into<String>) -> Result<Self> {
        let a = Masked::new(aadhaar_number.into());
        validate::aadhaar(&a, false)?;
        self.aadhaar_number = Some(a);
        Ok(self)
    }
}

/// Options of the DigiLocker journey for [`StartSession`].
///
/// `Debug` shows `verified_mobile` masked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SessionOptions {
    /// Verification methods allowed during sign-up (none: not sent).
    pub verification_methods: Vec<VerificationMethod>,
    /// Sign in with OTP, without the DigiLocker PIN (`signin` flow).
    pub pinless: Option<bool>,
    /// Skip username creation (`signup` flow).
    pub usernameless: Option<bool>,
    /// A mobile number your system already verified (`^[6-9][0-9]{9}$`),
    /// to skip DigiLocker's mobile OTP during sign-up.
    pub verified_mobile: Option<Masked>,
}

impl SessionOptions {
    /// No options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Allow these verification methods during sign-up.
    pub fn verification_methods(
        mut self,
        methods: impl IntoIterator<Item = VerificationMethod>,
    ) -> Self {
        self.verification_methods = methods.into_iter().collect();
        self
    }

    /// Set `pinless`.
    pub fn pinless(mut self, on: bool) -> Self {
        self.pinless = Some(on);
        self
    }

    /// Set `usernameless`.
    pub fn usernameless(mut self, on: bool) -> Self {
        self.usernameless = Some(on);
        self
    }

    /// Set `verified_mobile` (checked before sending).
    pub fn verified_mobile(mut self, mobile: impl Into<String>) -> Self {
        self.verified_mobile = Some(Masked::new(mobile.into()));
        self
    }
}

/// Start a DigiLocker consent session (the user is sent to a DigiLocker
/// link and comes back to `redirect_url`).
///
/// `Debug` shows only the scheme, host and path of `redirect_url` (its
/// query can carry the caller's own identifiers).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StartSession {
    /// Sign in or sign up.
    pub flow: Flow,
    /// Documents to ask consent for: at least one, no duplicates.
    pub doc_types: Vec<DocType>,
    /// Where DigiLocker sends the user back; must be `https://`.
    pub redirect_url: String,
    /// Journey options.
    pub options: Option<SessionOptions>,
    /// When the consent request expires, in milliseconds since the epoch;
    /// at least one hour in the future when sent.
    pub consent_expiry: Option<i64>,
}

impl fmt::Debug for StartSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StartSession")
            .field("flow", &self.flow)
            .field("doc_types", &self.doc_types)
            .field("redirect_url", &url_for_display(&self.redirect_url))
            .field("options", &self.options)
            .field("consent_expiry", &self.consent_expiry)
            .finish()
    }
}

impl fmt::Debug for StartEntitySession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StartEntitySession")
            .field("flow", &self.flow)
            .field("redirect_url", &url_for_display(&self.redirect_url))
            .field("consent_expiry", &self.consent_expiry)
            .finish()
    }
}

impl StartSession {
    /// A session request; checks the document list and the redirect URL.
    pub fn new(
        flow: Flow,
        doc_types: impl IntoIterator<Item = DocType>,
        redirect_url: impl Into<String>,
    ) -> Result<Self> {
        let s = StartSession {
            flow,
            doc_types: doc_types.into_iter().collect(),
            redirect_url: redirect_url.into(),
            options: None,
            consent_expiry: None,
        };
        validate::doc_types(&s.doc_types)?;
        validate::redirect_url(&s.redirect_url)?;
        Ok(s)
    }

    /// Set the journey options.
    pub fn with_options(mut self, options: SessionOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// Expire the consent request at `at` (checked before sending: at least
    /// one hour in the future).
    pub fn with_consent_expiry(mut self, at: DateTime<Utc>) -> Self {
        self.consent_expiry = Some(at.timestamp_millis());
        self
    }
}

/// Start an EntityLocker consent session (business documents; the user
/// picks them on EntityLocker).
///
/// `Debug` shows only the scheme, host and path of `redirect_url`.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StartEntitySession {
    /// Sign in or sign up.
    pub flow: Flow,
    /// Where EntityLocker sends the user back; must be `https://`.
    pub redirect_url: String,
    /// When the consent request expires, in milliseconds since the epoch;
    /// at least one hour in the future when sent.
    pub consent_expiry: Option<i64>,
}

impl StartEntitySession {
    /// A session request; checks the redirect URL.
    pub fn new(flow: Flow, redirect_url: impl Into<String>) -> Result<Self> {
        let s = StartEntitySession {
            flow,
            redirect_url: redirect_url.into(),
            consent_expiry: None,
        };
        validate::redirect_url(&s.redirect_url)?;
        Ok(s)
    }

    /// Expire the consent request at `at`.
    pub fn with_consent_expiry(mut self, at: DateTime<Utc>) -> Self {
        self.consent_expiry = Some(at.timestamp_millis());
        self
    }
}

/// Create a session for Sandbox's client-side SDK (web, Android, iOS,
/// Flutter): no redirect URL, the SDK drives the journey. `D` is
/// [`DocType`] for DigiLocker and [`EntityDocType`] for EntityLocker.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateSdkSession<D = DocType> {
    /// Sign in or sign up.
    pub flow: Flow,
    /// Documents to ask consent for: at least one, no duplicates.
    pub doc_types: Vec<D>,
}

impl<D: DocKind> CreateSdkSession<D> {
    /// An SDK session request; checks the document list.
    pub fn new(flow: Flow, doc_types: impl IntoIterator<Item = D>) -> Result<Self> {
        let s = CreateSdkSession {
            flow,
            doc_types: doc_types.into_iter().collect(),
        };
        validate::doc_types(&s.doc_types)?;
        Ok(s)
    }
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

/// A started consent session.
///
/// `Debug` leaves out the query of `authorization_url`.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Session {
    /// Session id, for the status and document calls.
    pub id: String,
    /// Send the user here (DigiLocker / EntityLocker OAuth consent page).
    pub authorization_url: String,
    /// Sandbox transaction id of the call.
    pub transaction_id: String,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id)
            .field(
                "authorization_url",
                &UrlWithoutQuery(&self.authorization_url),
            )
            .field("transaction_id", &self.transaction_id)
            .finish()
    }
}

/// A session created for the client-side SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SdkSession {
    /// Session id, to hand to the SDK and for the status and document calls.
    pub id: String,
    /// Status at creation (`created`; assumed when Sandbox omits it).
    pub status: SessionStatus,
    /// Creation time, in milliseconds since the epoch.
    pub created_at: Option<i64>,
    /// Sandbox transaction id of the call.
    pub transaction_id: String,
}

/// Where a session stands. `D` is [`DocType`] for DigiLocker and
/// [`EntityDocType`] for EntityLocker.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionState<D = DocType> {
    /// Session id.
    pub id: String,
    /// Status.
    pub status: SessionStatus,
    /// Creation time, in milliseconds since the epoch.
    pub created_at: i64,
    /// Last change, in milliseconds since the epoch, when sent.
    pub updated_at: Option<i64>,
    /// Documents the user consented to; `None` when Sandbox sent no (or an
    /// empty) list, which is the case until the session succeeds.
    pub documents_consented: Option<Vec<D>>,
    /// Sandbox transaction id of the call.
    pub transaction_id: String,
}

/// A session is settled for [`crate::flow::poll_until`] once its status is
/// terminal (succeeded, failed or expired).
impl<D> crate::flow::Settled for SessionState<D> {
    fn is_settled(&self) -> bool {
        self.status.is_terminal()
    }
}

/// A fetched document: one or more files behind pre-signed links.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Document<D = DocType> {
    /// The document type asked for.
    pub doc_type: D,
    /// The files (usually one).
    pub files: Vec<DocumentFile>,
    /// Sandbox transaction id of the call.
    pub transaction_id: String,
}

/// One file of a [`Document`]: a pre-signed link (valid about an hour) and
/// what Sandbox says about it.
///
/// `Debug` leaves out the link's query (its signature).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DocumentFile {
    /// Pre-signed download URL. Fetch it with [`DocumentFile::download`].
    /// `None` when the provider listed the file without a link (the other
    /// files of the document are still usable).
    pub url: Option<String>,
    /// Size in bytes, as reported.
    pub size: Option<u64>,
    /// What the file is.
    pub metadata: Option<FileMetadata>,
    /// The file's `@entity` (e.g. `org.quicko.drive.file`).
    pub entity: Option<String>,
}

impl fmt::Debug for DocumentFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocumentFile")
            .field("url", &self.url.as_deref().map(UrlWithoutQuery))
            .field("size", &self.size)
            .field("metadata", &self.metadata)
            .field("entity", &self.entity)
            .finish()
    }
}

impl DocumentFile {
    /// The MIME type, when known (`application/xml`, `application/pdf`…).
    pub fn content_type(&self) -> Option<&str> {
        self.metadata.as_ref().map(|m| m.content_type.as_str())
    }

    /// Fetch the file itself through `client` (see
    /// [`SandboxClient::download`](super::SandboxClient::download)).
    pub async fn download(&self, client: &super::SandboxClient) -> Result<bytes::Bytes> {
        client.download(self).await
    }
}

/// Metadata of a [`DocumentFile`], with Sandbox's (S3-style) key names on
/// the wire.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct FileMetadata {
    /// MIME type (`ContentType`).
    #[serde(rename = "ContentType")]
    pub content_type: String,
    /// Issuer id, e.g. `in.gov.uidai`.
    pub issuer_id: String,
    /// Issuer name.
    pub issuer: String,
    /// Last change, as sent (`LastModified`, usually `DD/MM/YYYY`).
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    /// Description, e.g. `Aadhaar Card`.
    pub description: String,
}

impl FileMetadata {
    /// `last_modified` as a date, when it is `DD/MM/YYYY` or ISO 8601.
    pub fn last_modified_date(&self) -> Option<NaiveDate> {
        parse_date_text(&self.last_modified)
    }
}

/// The DigiLocker (or EntityLocker) account holder.
///
/// `Debug` masks the mobile number and hides the name, the date of birth
/// and the e-mail.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserProfile {
    /// DigiLocker id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Date of birth.
    pub date_of_birth: DateOfBirth,
    /// Gender as sent (e.g. `male`).
    pub gender: String,
    /// Mobile number.
    pub mobile: Masked,
    /// E-mail, when sent and not empty.
    pub email: Option<String>,
    /// Whether the user has an e-Aadhaar.
    pub eaadhaar: bool,
    /// Sandbox transaction id of the call.
    pub transaction_id: String,
}

impl fmt::Debug for UserProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserProfile")
            .field("id", &MaskedDebug(&self.id))
            .field("name", &"[masked]")
            .field("date_of_birth", &self.date_of_birth)
            .field("gender", &self.gender)
            .field("mobile", &self.mobile)
            .field("email", &self.email.as_ref().map(|_| "[masked]"))
            .field("eaadhaar", &self.eaadhaar)
            .field("transaction_id", &self.transaction_id)
            .finish()
    }
}

/// The business behind an EntityLocker session.
///
/// `Debug` masks the mobile number and hides the e-mail.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EntityDetails {
    /// Entity id.
    pub id: String,
    /// Registered name.
    pub name: String,
    /// Date of incorporation as sent (`DD/MM/YYYY`).
    pub date_of_incorporation: String,
    /// Registered e-mail.
    pub email: String,
    /// Registered mobile number.
    pub mobile: Masked,
    /// How the entity was verified.
    pub verified_by: VerifiedBy,
    /// Sandbox transaction id of the call.
    pub transaction_id: String,
}

impl fmt::Debug for EntityDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntityDetails")
            .field("id", &MaskedDebug(&self.id))
            .field("name", &MaskedDebug(&self.name))
            .field("date_of_incorporation", &self.date_of_incorporation)
            .field("email", &"[masked]")
            .field("mobile", &self.mobile)
            .field("verified_by", &self.verified_by)
            .field("transaction_id", &self.transaction_id)
            .finish()
    }
}

impl EntityDetails {
    /// `date_of_incorporation` as a date, when readable.
    pub fn incorporation_date(&self) -> Option<NaiveDate> {
        parse_date_text(&self.date_of_incorporation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_enums_keep_unknown_values() {
        assert_eq!(SessionStatus::from("succeeded"), SessionStatus::Succeeded);
        let s = SessionStatus::from("pending_review");
        assert_eq!(s, SessionStatus::Unknown("pending_review".into()));
        assert_eq!(s.as_str(), "pending_review");
        assert!(!s.is_terminal());
        assert!(SessionStatus::Expired.is_terminal());
        let d: DocType = serde_json::from_str("\"voter_id\"").unwrap();
        assert_eq!(d, DocType::Unknown("voter_id".into()));
        assert_eq!(serde_json::to_string(&DocType::Pan).unwrap(), "\"pan\"");
    }

    #[test]
    fn date_of_birth_in_both_forms() {
        let d = DateOfBirth::from_text("18/08/2003");
        assert_eq!(d.date, NaiveDate::from_ymd_opt(2003, 8, 18));
        assert_eq!(d.raw, "18/08/2003");
        // 2003-12-11T12:16:40Z, 17:46 in India.
        let d = DateOfBirth::from_epoch_ms(1071145000000);
        assert_eq!(d.date, NaiveDate::from_ymd_opt(2003, 12, 11));
        assert_eq!(d.raw, "1071145000000");
        assert_eq!(DateOfBirth::from_text("soon").date, None);
        assert!(!format!("{:?}", DateOfBirth::from_text("18/08/2003")).contains("2003"));
    }

    #[test]
    fn metadata_uses_the_wire_names() {
        let m: FileMetadata = serde_json::from_str(
            r#"{"ContentType":"application/xml","issuer_id":"in.gov.uidai","issuer":"UIDAI","LastModified":"09/05/2025","description":"Aadhaar Card"}"#,
        )
        .unwrap();
        assert_eq!(m.content_type, "application/xml");
        assert_eq!(m.last_modified_date(), NaiveDate::from_ymd_opt(2025, 5, 9));
    }

    #[test]
    fn start_session_debug_shows_no_redirect_query() {
        let s = StartSession::new(
            Flow::Signin,
            [DocType::Aadhaar],
            "https://app.example/kyc/done?mobile=9876543210&token=abc#frag",
        )
        .unwrap();
        for text in [format!("{s:?}"), format!("{s:#?}")] {
            assert!(text.contains("\"https://app.example/kyc/done\""), "{text}");
            assert!(!text.contains("mobile") && !text.contains("abc"), "{text}");
        }
        let e =
            StartEntitySession::new(Flow::Signin, "https://app.example/e?x=9876543210").unwrap();
        assert!(!format!("{e:?}").contains("9876543210"));
    }
}
