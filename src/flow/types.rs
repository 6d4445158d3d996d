//! The provider-neutral vocabulary of a DigiLocker journey.

use crate::eko::{EkoDocType, EkoDocument, EkoStatus, UserDetails, VerificationState};
use crate::error::Provider;
use crate::flow::poll::Settled;
use crate::redact::{Masked, Secret};
use crate::sandbox::{DocKind, DocumentFile, SessionState, SessionStatus};
use chrono::NaiveDate;
use std::fmt;

pub use crate::sandbox::DocType;
pub use crate::vocab::{Address, Photo};

/// A DigiLocker consent session at either provider.
///
/// `id` is Sandbox's session id or Eko's `reference_id` (as text).
/// `Debug` hides the authorisation URL's query (it carries PKCE and state).
#[derive(Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Session {
    /// Which aggregator holds the session.
    #[schemars(with = "ProviderName")]
    pub provider: Provider,
    /// The provider's id for the session.
    pub id: String,
    /// Where to send the user to give consent.
    pub authorization_url: String,
    /// The documents asked for.
    #[schemars(with = "Vec<String>")]
    pub requested: Vec<DocType>,
    /// Eko's `verification_id`, once known (from the create response, a
    /// status response, or the redirect back: see
    /// [`Session::record_callback`]). Always `None` for Sandbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_id: Option<String>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = crate::redact::url_for_display(&self.authorization_url);
        f.debug_struct("Session")
            .field("provider", &self.provider)
            .field("id", &self.id)
            .field("authorization_url", &format_args!("{url}?…"))
            .field("requested", &self.requested)
            .field("verification_id", &self.verification_id.is_some())
            .finish()
    }
}

impl Session {
    /// Take what the provider appended to the caller's `redirect_url` when
    /// the user came back. For Eko this records the `verification_id`
    /// needed to fetch documents (and checks the `reference_id` matches);
    /// Sandbox appends nothing the flow needs, so it only checks the URL
    /// parses.
    pub fn record_callback(&mut self, redirect: &str) -> crate::Result<()> {
        match self.provider {
            Provider::Eko => {
                let cb = crate::eko::EkoCallback::from_url(redirect)?;
                if let Some(r) = &cb.reference_id
                    && r.as_str() != self.id
                {
                    return Err(crate::Error::InvalidInput {
                        field: "reference_id",
                        reason: format!(
                            "the redirect is for reference {r}, not this session ({})",
                            self.id
                        ),
                    });
                }
                self.verification_id = Some(cb.verification_id);
                Ok(())
            }
            Provider::Sandbox => {
                url::Url::parse(redirect)
                    .map(|_| ())
                    .map_err(|e| crate::Error::InvalidInput {
                        field: "redirect_url",
                        reason: e.to_string(),
                    })
            }
        }
    }
}

/// The JSON Schema of a [`Provider`] as it serialises (`"sandbox"`,
/// `"eko"`), for types that hold one and derive `schemars::JsonSchema`:
/// `#[schemars(with = "ProviderName")]`. Never constructed.
#[derive(schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum ProviderName {
    /// [`Provider::Sandbox`].
    Sandbox,
    /// [`Provider::Eko`].
    Eko,
}

/// Where a session stands, in one vocabulary for both providers.
///
/// From a provider's own status: [`Outcome::from_sandbox`] and
/// [`Outcome::from_eko`] (their documentation has the mapping).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// The user has not finished the DigiLocker journey.
    Pending,
    /// The user consented; `consented` lists the documents shared.
    Succeeded {
        /// The documents the user agreed to share.
        #[schemars(with = "Vec<String>")]
        consented: Vec<DocType>,
    },
    /// The journey failed (Sandbox `failed`; Sandbox does not tell a denial
    /// apart from other failures).
    Failed,
    /// The session or the link expired before the user finished.
    Expired,
    /// The user refused consent (Eko `CONSENT_DENIED`).
    Denied,
}

impl Outcome {
    /// Whether the user consented.
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Succeeded { .. })
    }

    /// A short lower-case name (`pending`, `succeeded`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Pending => "pending",
            Outcome::Succeeded { .. } => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Expired => "expired",
            Outcome::Denied => "denied",
        }
    }
}

impl fmt::Display for Outcome {
    /// `pending`, `failed`, ...; `succeeded (aadhaar, pan)` with the
    /// consented documents, plain `succeeded` when none is listed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Succeeded { consented } if !consented.is_empty() => {
                let docs: Vec<&str> = consented.iter().map(DocType::as_str).collect();
                write!(f, "succeeded ({})", docs.join(", "))
            }
            other => f.write_str(other.name()),
        }
    }
}

impl Settled for Outcome {
    fn is_settled(&self) -> bool {
        !matches!(self, Outcome::Pending)
    }
}

/// A verified document, with the fields both providers can give.
///
/// Personal data is masked in `Debug` (identifier, date of birth, address,
/// photo, file link); the full values are in the fields. Serialised, the
/// identifier is masked, the photo is its size, and the file link, the raw
/// value and the verification are left out.
#[derive(Clone, serde::Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Document {
    /// Which aggregator supplied it.
    #[schemars(with = "ProviderName")]
    pub provider: Provider,
    /// The document type.
    #[schemars(with = "String")]
    pub kind: DocType,
    /// Holder's name.
    pub name: Option<String>,
    /// Date of birth, when it could be read.
    #[schemars(with = "Option<String>")]
    pub dob: Option<NaiveDate>,
    /// Date of birth as the provider wrote it.
    pub dob_text: Option<String>,
    /// Gender as written (`M`, `F`, `T`, or a word).
    pub gender: Option<String>,
    /// The document number, masked by the issuer or by this crate (for
    /// Aadhaar only the last four digits are ever shown in `Display`).
    #[schemars(with = "Option<String>")]
    pub masked_id: Option<Masked>,
    /// Address on one line.
    pub address: Option<String>,
    /// Address by part, the same parts for both providers (`house`,
    /// `street`, ... `pincode`, `country`).
    pub address_parts: Address,
    /// The photograph, decoded (serialised as `"<n> bytes"`).
    #[schemars(with = "Option<String>")]
    pub photo: Option<Photo>,
    /// Link to the original file (Sandbox pre-signed URL, or Eko `xml_file`),
    /// valid for a short time. Redacted in `Debug` and when serialised.
    #[serde(skip)]
    pub file_url: Option<Secret>,
    /// The provider's own value, for fields the neutral view does not carry.
    #[serde(skip)]
    pub raw: RawDocument,
    /// The signature check of the downloaded file, when the client has
    /// trust anchors (`DigiLocker::with_verification`).
    #[serde(skip)]
    pub verification: Verification,
}

/// The outcome of checking a document's signature in the flow.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Verification {
    /// No trust anchors configured, or no signed file to check (Eko gives
    /// JSON, not the signed XML).
    #[default]
    NotChecked,
    /// Verified: the evidence to store.
    Verified(Box<crate::verify::Evidence>),
    /// Checked and not verified (only when the policy does not require it;
    /// otherwise the flow returns `Error::NotVerified`).
    Failed(crate::verify::VerifyError),
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("provider", &self.provider)
            .field("kind", &self.kind)
            .field("name", &self.name.as_ref().map(|_| "[set]"))
            .field("dob", &self.dob.map(|_| "[set]"))
            .field("gender", &self.gender)
            .field("masked_id", &self.masked_id)
            .field("address", &self.address.as_ref().map(|_| "[set]"))
            .field("photo", &self.photo)
            .field("file_url", &self.file_url)
            .finish_non_exhaustive()
    }
}

/// The provider-specific form of a [`Document`].
///
/// `Debug` shows the downloaded file's size only (it is the signed XML with
/// every personal detail) and the provider's document as its own `Debug`
/// does (personal data masked).
#[derive(Clone)]
#[non_exhaustive]
pub enum RawDocument {
    /// Sandbox: the document with its files, and the downloaded file the
    /// fields were read from (when it was XML).
    Sandbox {
        /// The document as the facade returned it.
        document: crate::sandbox::Document,
        /// The downloaded file.
        file: Option<bytes::Bytes>,
    },
    /// Eko: the normalised Eko document.
    Eko(Box<crate::eko::EkoDocument>),
}

impl fmt::Debug for RawDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawDocument::Sandbox { document, file } => f
                .debug_struct("Sandbox")
                .field("document", document)
                .field(
                    "file",
                    &file.as_ref().map(|b| format!("<{} bytes>", b.len())),
                )
                .finish(),
            RawDocument::Eko(d) => f.debug_tuple("Eko").field(d).finish(),
        }
    }
}

/// The DigiLocker account holder.
///
/// From a provider's own value: `From<sandbox::UserProfile>` and
/// `From<eko::UserDetails>`.
#[derive(Clone, serde::Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Profile {
    /// Which aggregator supplied it.
    #[schemars(with = "ProviderName")]
    pub provider: Provider,
    /// Full name.
    pub name: Option<String>,
    /// Date of birth, when it could be read.
    #[schemars(with = "Option<String>")]
    pub dob: Option<NaiveDate>,
    /// Date of birth as the provider wrote it.
    pub dob_text: Option<String>,
    /// Gender as written.
    pub gender: Option<String>,
    /// Mobile number (masked in `Debug`, `Display` and JSON).
    #[schemars(with = "Option<String>")]
    pub mobile: Option<Masked>,
    /// E-mail, when given.
    pub email: Option<String>,
    /// The provider's own value.
    #[serde(skip)]
    pub raw: RawProfile,
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("provider", &self.provider)
            .field("name", &self.name.as_ref().map(|_| "[set]"))
            .field("dob", &self.dob.map(|_| "[set]"))
            .field("gender", &self.gender)
            .field("mobile", &self.mobile)
            .field("email", &self.email.as_ref().map(|_| "[set]"))
            .finish_non_exhaustive()
    }
}

/// The provider-specific form of a [`Profile`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RawProfile {
    /// Sandbox's user profile.
    Sandbox(crate::sandbox::UserProfile),
    /// Eko's `user_details` from the status call.
    Eko(crate::eko::UserDetails),
}

// ---------------------------------------------------------------------------
// From the providers' own types
// ---------------------------------------------------------------------------

/// Unknown status words that say the journey ended badly.
fn sounds_failed(s: &str) -> bool {
    let up = s.to_ascii_uppercase();
    // `AADHAAR_NOT_LINKED`: the person's DigiLocker has no Aadhaar; waiting
    // will not change that, so it is a final failure, not "not ready".
    ["FAIL", "ERROR", "REJECT", "CANCEL", "NOT_LINKED"]
        .iter()
        .any(|w| up.contains(w))
}

impl Outcome {
    /// The outcome of a Sandbox session status (DigiLocker or EntityLocker,
    /// consent page or SDK session).
    ///
    /// | Sandbox `status` | Outcome |
    /// |---|---|
    /// | `created`, `initialized`, `authorized` | `Pending` |
    /// | `succeeded` | `Succeeded`, `consented` = `documents_consented` (empty when Sandbox sent none) |
    /// | `failed` | `Failed` (Sandbox reports a refusal this way too: never `Denied`) |
    /// | `expired` | `Expired` |
    /// | an unknown word saying failure (containing `FAIL`, `ERROR`, `REJECT`, `CANCEL` or `NOT_LINKED`) | `Failed` |
    /// | any other unknown word | `Pending` |
    ///
    /// Unknown words from a newer API count as `Pending` unless they say
    /// failure, so a wait never ends early on a word it does not know (the
    /// poll policy's limits still bound it). EntityLocker document types are
    /// carried as [`DocType`] values of their wire names (`gstn_details`).
    /// [`DigiLocker::status`](crate::flow::DigiLocker::status) adds
    /// [`or_requested`](Self::or_requested) with the session's documents.
    pub fn from_sandbox<D: DocKind>(state: &SessionState<D>) -> Outcome {
        match &state.status {
            SessionStatus::Created | SessionStatus::Initialized | SessionStatus::Authorized => {
                Outcome::Pending
            }
            SessionStatus::Succeeded => Outcome::Succeeded {
                consented: state
                    .documents_consented
                    .iter()
                    .flatten()
                    .map(|d| DocType::from(d.wire()))
                    .collect(),
            },
            SessionStatus::Failed => Outcome::Failed,
            SessionStatus::Expired => Outcome::Expired,
            SessionStatus::Unknown(s) if sounds_failed(s) => Outcome::Failed,
            _ => Outcome::Pending,
        }
    }

    /// The outcome of an Eko verification status.
    ///
    /// | Eko ([`EkoStatus::state`]) | Outcome |
    /// |---|---|
    /// | `Pending` (empty `user_details`, `PENDING`, code 327) | `Pending` |
    /// | `Consented` (`user_details` present, `AUTHENTICATED`) | `Succeeded`, `consented` = the granted `document_consent` entries (empty when none is listed) |
    /// | `Denied` (`CONSENT_DENIED`) | `Denied` |
    /// | `Expired` (`EXPIRED`) | `Expired` |
    /// | an unknown word saying failure (containing `FAIL`, `ERROR`, `REJECT`, `CANCEL` or `NOT_LINKED`, e.g. `AADHAAR_NOT_LINKED`) | `Failed` |
    /// | any other unknown word | `Pending` |
    ///
    /// As for Sandbox, an unknown word counts as `Pending` unless it says
    /// failure. [`DigiLocker::status`](crate::flow::DigiLocker::status)
    /// also reads Eko's "verification pending" refusal as `Pending`, and
    /// adds [`or_requested`](Self::or_requested) with the session's
    /// documents.
    pub fn from_eko(status: &EkoStatus) -> Outcome {
        match &status.state {
            VerificationState::Pending => Outcome::Pending,
            VerificationState::Consented => Outcome::Succeeded {
                consented: status
                    .document_consent
                    .iter()
                    .filter(|c| c.granted() == Some(true))
                    .filter_map(|c| c.document_type.as_deref())
                    .map(|t| DocType::from(&EkoDocType::from(t)))
                    .collect(),
            },
            VerificationState::Denied => Outcome::Denied,
            VerificationState::Expired => Outcome::Expired,
            VerificationState::Unknown(s) if sounds_failed(s) => Outcome::Failed,
            _ => Outcome::Pending,
        }
    }

    /// A success that lists no consented document takes `requested` as the
    /// list (providers leave the list out in some answers; the user
    /// consented to what was asked for). Any other outcome is unchanged.
    pub fn or_requested(self, requested: impl IntoIterator<Item = DocType>) -> Outcome {
        match self {
            Outcome::Succeeded { consented } if consented.is_empty() => Outcome::Succeeded {
                consented: requested.into_iter().collect(),
            },
            other => other,
        }
    }
}

/// [`Outcome::from_sandbox`].
impl<D: DocKind> From<&SessionState<D>> for Outcome {
    fn from(state: &SessionState<D>) -> Outcome {
        Outcome::from_sandbox(state)
    }
}

/// [`Outcome::from_eko`].
impl From<&EkoStatus> for Outcome {
    fn from(status: &EkoStatus) -> Outcome {
        Outcome::from_eko(status)
    }
}

/// An Eko status is settled once its [`Outcome`] is (not `Pending`): final
/// states, and unknown words that say failure.
impl Settled for EkoStatus {
    fn is_settled(&self) -> bool {
        Outcome::from_eko(self).is_settled()
    }
}

/// Eko's document type in the neutral vocabulary (`AADHAAR` is
/// [`DocType::Aadhaar`]; others by their lower-case name).
impl From<&EkoDocType> for DocType {
    fn from(d: &EkoDocType) -> DocType {
        match d {
            EkoDocType::Aadhaar => DocType::Aadhaar,
            other => DocType::from(other.as_str().to_ascii_lowercase()),
        }
    }
}

/// The neutral type's Eko form.
impl From<&DocType> for EkoDocType {
    fn from(d: &DocType) -> EkoDocType {
        match d {
            DocType::Aadhaar => EkoDocType::Aadhaar,
            other => EkoDocType::from(other.as_str()),
        }
    }
}

/// The profile of a Sandbox user (empty name, gender and mobile become
/// `None`).
impl From<crate::sandbox::UserProfile> for Profile {
    fn from(p: crate::sandbox::UserProfile) -> Profile {
        Profile {
            provider: Provider::Sandbox,
            name: Some(p.name.clone()).filter(|n| !n.is_empty()),
            dob: p.date_of_birth.date,
            dob_text: Some(p.date_of_birth.raw.clone()),
            gender: Some(p.gender.clone()).filter(|g| !g.is_empty()),
            mobile: Some(p.mobile.clone()).filter(|m| !m.expose().is_empty()),
            email: p.email.clone(),
            raw: RawProfile::Sandbox(p),
        }
    }
}

/// The profile in Eko's `user_details` (Eko gives no e-mail).
impl From<UserDetails> for Profile {
    fn from(details: UserDetails) -> Profile {
        Profile {
            provider: Provider::Eko,
            name: details.name.clone(),
            dob: details.dob.as_ref().and_then(|d| d.date),
            dob_text: details.dob.as_ref().map(|d| d.raw.clone()),
            gender: details.gender.clone(),
            mobile: details.mobile.clone(),
            email: None,
            raw: RawProfile::Eko(details),
        }
    }
}

/// An Eko document in the neutral form, without a file link (see
/// [`Document::from_eko`]).
impl From<EkoDocument> for Document {
    fn from(d: EkoDocument) -> Document {
        Document::from_eko(d, None)
    }
}

impl Document {
    /// An Eko document in the neutral form: the Aadhaar number masked, the
    /// address on one line and by part, the photo when Eko sent it inline
    /// (a link is left out: it is in [`RawDocument::Eko`]). `xml_file` is
    /// the response's `xml_file` link, kept as [`Document::file_url`].
    pub fn from_eko(d: EkoDocument, xml_file: Option<Secret>) -> Document {
        let parts = d.address.clone().unwrap_or_default();
        Document {
            provider: Provider::Eko,
            kind: DocType::from(&d.doc_type),
            name: d.name.clone(),
            dob: d.dob.as_ref().and_then(|x| x.date),
            dob_text: d.dob.as_ref().map(|x| x.raw.clone()),
            gender: d.gender.clone(),
            masked_id: d
                .aadhaar
                .as_ref()
                .map(|m| Masked::new(crate::redact::mask_id(m.expose()))),
            address: Some(parts.one_line()).filter(|a| !a.is_empty()),
            address_parts: parts,
            photo: d.photo.clone().filter(|p| p.bytes().is_some()),
            file_url: xml_file,
            raw: RawDocument::Eko(Box::new(d)),
            verification: Verification::NotChecked,
        }
    }

    /// A Sandbox document in the neutral form, from one of its files as
    /// downloaded (`bytes`): when the file is XML (by its content type or
    /// its first character) the identity fields are read from it (name,
    /// date of birth, gender, the number masked, the address, the photo);
    /// otherwise only the kind and the link are set. An XML file that
    /// cannot be read is [`Error::Decode`](crate::Error::Decode).
    ///
    /// EntityLocker documents get a [`DocType`] of their wire name. The
    /// result is not verified ([`Verification::NotChecked`]).
    pub fn from_sandbox_file<D: DocKind>(
        document: crate::sandbox::Document<D>,
        file: &DocumentFile,
        bytes: bytes::Bytes,
    ) -> crate::Result<Document> {
        let document = crate::sandbox::Document {
            doc_type: DocType::from(document.doc_type.wire()),
            files: document.files,
            transaction_id: document.transaction_id,
        };
        let mut out = Document::sandbox_unread(document, file.url.clone());
        if is_xml_file(file, &bytes) {
            let id = super::xml::read_identity(&bytes).map_err(|e| xml_error(&e, &bytes))?;
            out.set_identity(id);
        }
        out.set_sandbox_file(bytes);
        Ok(out)
    }

    /// Take the identity fields read from a Sandbox XML file.
    pub(crate) fn set_identity(&mut self, id: super::xml::XmlIdentity) {
        self.name = id.name;
        self.dob = id
            .dob
            .as_deref()
            .and_then(|t| crate::vocab::DateOfBirth::from_text(t).date);
        self.dob_text = id.dob;
        self.gender = id.gender;
        self.masked_id = id.number.map(|n| Masked::new(crate::redact::mask_id(&n)));
        self.address_parts = Address::from_parts(&id.address);
        self.address = Some(self.address_parts.one_line()).filter(|a| !a.is_empty());
        self.photo = id
            .photo_base64
            .as_deref()
            .and_then(Photo::parse)
            .filter(|p| p.bytes().is_some());
    }

    /// Keep the downloaded file in [`RawDocument::Sandbox`].
    pub(crate) fn set_sandbox_file(&mut self, bytes: bytes::Bytes) {
        if let RawDocument::Sandbox { file, .. } = &mut self.raw {
            *file = Some(bytes);
        }
    }

    /// A Sandbox document with only its kind and link (no file read).
    pub(crate) fn sandbox_unread(
        document: crate::sandbox::Document,
        url: Option<String>,
    ) -> Document {
        Document {
            provider: Provider::Sandbox,
            kind: document.doc_type.clone(),
            name: None,
            dob: None,
            dob_text: None,
            gender: None,
            masked_id: None,
            address: None,
            address_parts: Address::default(),
            photo: None,
            file_url: url.map(Secret::new),
            raw: RawDocument::Sandbox {
                document,
                file: None,
            },
            verification: Verification::NotChecked,
        }
    }
}

/// Whether a downloaded Sandbox file is XML (by its content type or its
/// first character).
pub(crate) fn is_xml_file(file: &DocumentFile, bytes: &[u8]) -> bool {
    let is_xml = file
        .content_type()
        .is_some_and(|c| c.to_ascii_lowercase().contains("xml"));
    is_xml || bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// A Sandbox XML file that could not be read.
pub(crate) fn xml_error(e: &super::xml::XmlError, bytes: &[u8]) -> crate::Error {
    crate::Error::Decode {
        provider: Provider::Sandbox,
        status: 200,
        message: e.to_string(),
        excerpt: crate::redact::excerpt(bytes, crate::redact::EXCERPT_CHARS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pending_is_unsettled() {
        assert!(!Outcome::Pending.is_settled());
        for o in [
            Outcome::Succeeded { consented: vec![] },
            Outcome::Failed,
            Outcome::Expired,
            Outcome::Denied,
        ] {
            assert!(o.is_settled(), "{o}");
        }
    }

    fn sandbox_state<D>(status: &str, consented: Option<Vec<D>>) -> SessionState<D> {
        SessionState {
            id: "s".into(),
            status: SessionStatus::from(status),
            created_at: 0,
            updated_at: None,
            documents_consented: consented,
            transaction_id: "t".into(),
        }
    }

    fn eko_status(state: VerificationState, consent: &[(&str, &str)]) -> EkoStatus {
        EkoStatus {
            reference_id: crate::eko::ReferenceId::from("1"),
            state,
            user_details: None,
            document_requested: vec!["AADHAAR".into()],
            document_consent: consent
                .iter()
                .map(|(t, c)| crate::eko::ConsentEntry {
                    document_type: Some(t.to_string()),
                    consent: Some(c.to_string()),
                })
                .collect(),
            verification_id: None,
            upstream_status: None,
            message: None,
            code: 0,
            response_status_id: None,
            response_type_id: None,
        }
    }

    /// The table in `Outcome::from_sandbox`'s documentation, row by row.
    #[test]
    fn sandbox_statuses_map_as_documented() {
        let o = |s: &str| Outcome::from_sandbox(&sandbox_state::<DocType>(s, None));
        for pending in ["created", "initialized", "authorized", "pending_review"] {
            assert_eq!(o(pending), Outcome::Pending, "{pending}");
        }
        assert_eq!(o("failed"), Outcome::Failed);
        assert_eq!(o("expired"), Outcome::Expired);
        assert_eq!(o("user_cancelled"), Outcome::Failed);
        assert_eq!(o("AADHAAR_NOT_LINKED"), Outcome::Failed);
        assert_eq!(o("succeeded"), Outcome::Succeeded { consented: vec![] });
        let s = sandbox_state("succeeded", Some(vec![DocType::Aadhaar, DocType::Pan]));
        assert_eq!(
            Outcome::from(&s),
            Outcome::Succeeded {
                consented: vec![DocType::Aadhaar, DocType::Pan]
            }
        );
        // EntityLocker types travel by their wire names.
        let e = sandbox_state(
            "succeeded",
            Some(vec![crate::sandbox::EntityDocType::GstnDetails]),
        );
        assert_eq!(
            serde_json::to_value(Outcome::from(&e)).unwrap(),
            serde_json::json!({"state": "succeeded", "consented": ["gstn_details"]})
        );
    }

    /// The table in `Outcome::from_eko`'s documentation, row by row.
    #[test]
    fn eko_states_map_as_documented() {
        let o = |s: VerificationState| Outcome::from_eko(&eko_status(s, &[]));
        assert_eq!(o(VerificationState::Pending), Outcome::Pending);
        assert_eq!(o(VerificationState::Denied), Outcome::Denied);
        assert_eq!(o(VerificationState::Expired), Outcome::Expired);
        assert_eq!(
            o(VerificationState::Unknown("AADHAAR_NOT_LINKED".into())),
            Outcome::Failed
        );
        assert_eq!(
            o(VerificationState::Unknown("IN_REVIEW".into())),
            Outcome::Pending
        );
        assert_eq!(
            o(VerificationState::Consented),
            Outcome::Succeeded { consented: vec![] }
        );
        let s = eko_status(
            VerificationState::Consented,
            &[("AADHAAR", "Y"), ("PAN", "N")],
        );
        assert_eq!(
            Outcome::from(&s),
            Outcome::Succeeded {
                consented: vec![DocType::Aadhaar]
            }
        );
        assert!(s.is_settled());
        assert!(!eko_status(VerificationState::Pending, &[]).is_settled());
        assert!(eko_status(VerificationState::Unknown("FAILED".into()), &[]).is_settled());
    }

    #[test]
    fn or_requested_fills_only_an_empty_success() {
        let req = || [DocType::Aadhaar, DocType::Pan];
        assert_eq!(
            Outcome::Succeeded { consented: vec![] }.or_requested(req()),
            Outcome::Succeeded {
                consented: req().to_vec()
            }
        );
        let pan = Outcome::Succeeded {
            consented: vec![DocType::Pan],
        };
        assert_eq!(pan.clone().or_requested(req()), pan);
        assert_eq!(Outcome::Pending.or_requested(req()), Outcome::Pending);
        assert_eq!(
            Outcome::Succeeded { consented: vec![] }.to_string(),
            "succeeded"
        );
        assert_eq!(pan.to_string(), "succeeded (pan)");
    }

    #[test]
    fn outcome_serialises_with_a_state_tag() {
        let v = serde_json::to_value(Outcome::Succeeded {
            consented: vec![DocType::Aadhaar],
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"state": "succeeded", "consented": ["aadhaar"]})
        );
    }
}
