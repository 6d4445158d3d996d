//! The typed values the Eko facade returns: references, links, verification
//! status, documents. Every field Eko's pages contradict each other on is
//! optional, and both documented shapes of each response normalise to one
//! type here.

use crate::generated::eko::types as wire;
use crate::redact::{Masked, MaskedDebug, Secret, url_for_display};
pub use crate::vocab::Photo;
use std::fmt;
use std::str::FromStr;

/// Eko's reference for one DigiLocker request (`reference_id`).
///
/// Eko documents it as an integer in responses and as a string in the Get
/// Document body; both decode, and it is kept as text (`Display` prints the
/// text, e.g. `123456`). Serialises as a JSON string.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReferenceId(String);

impl ReferenceId {
    /// The reference as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The reference as a number, when it is one.
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    pub(crate) fn validate(&self) -> crate::Result<()> {
        if self.0.trim().is_empty() {
            return Err(crate::Error::invalid("reference_id", "must not be empty"));
        }
        if self.0.trim() != self.0 || self.0.chars().any(char::is_control) {
            return Err(crate::Error::invalid(
                "reference_id",
                "must not contain whitespace or control characters",
            ));
        }
        Ok(())
    }
}

impl fmt::Display for ReferenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ReferenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReferenceId({})", self.0)
    }
}

impl FromStr for ReferenceId {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(ReferenceId(s.to_string()))
    }
}

impl From<i64> for ReferenceId {
    fn from(v: i64) -> Self {
        ReferenceId(v.to_string())
    }
}

impl From<u64> for ReferenceId {
    fn from(v: u64) -> Self {
        ReferenceId(v.to_string())
    }
}

impl From<&str> for ReferenceId {
    fn from(v: &str) -> Self {
        ReferenceId(v.to_string())
    }
}

impl From<String> for ReferenceId {
    fn from(v: String) -> Self {
        ReferenceId(v)
    }
}

impl From<&ReferenceId> for ReferenceId {
    fn from(v: &ReferenceId) -> Self {
        v.clone()
    }
}

impl From<wire::ReferenceId> for ReferenceId {
    fn from(v: wire::ReferenceId) -> Self {
        match v {
            wire::ReferenceId::Int64(n) => n.into(),
            wire::ReferenceId::String(s) => ReferenceId(s.trim().to_string()),
        }
    }
}

impl serde::Serialize for ReferenceId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ReferenceId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        wire::ReferenceId::deserialize(d).map(Into::into)
    }
}

crate::vocab::open_enum! {
    /// A document type Eko can fetch from DigiLocker. Read trimmed and
    /// upper-cased (`aadhaar` is [`EkoDocType::Aadhaar`]).
    EkoDocType {
        /// Aadhaar (`AADHAAR`), the only type Eko documents today.
        Aadhaar => "AADHAAR",
    }
    unknown:
        /// Any other type, sent as given (upper-cased).
        Other,
    normalise: |s: &str| s.trim().to_ascii_uppercase(),
}

impl FromStr for EkoDocType {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().is_empty() {
            return Err(crate::Error::invalid("document_type", "must not be empty"));
        }
        Ok(EkoDocType::from(s))
    }
}

/// A consent link created by [`EkoClient::create_url`](super::EkoClient::create_url).
///
/// `Debug` shows the URLs without user information or query, and the
/// message masked.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct EkoLink {
    /// Eko's reference: poll status and fetch documents with it.
    pub reference_id: ReferenceId,
    /// The DigiLocker URL to send the user to.
    pub url: String,
    /// The `client_ref_id` this call was sent with (generated when not given).
    pub client_ref_id: String,
    /// Documents requested, as Eko echoed them (or as sent, when it did not).
    pub document_requested: Vec<String>,
    /// The redirect URL Eko echoed, when it did.
    pub redirect_url: Option<String>,
    /// `verification_id`, when Eko passes the upstream one through (not
    /// documented; normally it arrives on the redirect, see
    /// [`EkoCallback`](super::EkoCallback)).
    pub verification_id: Option<String>,
    /// Upstream session status, when passed through (e.g. `PENDING`).
    pub upstream_status: Option<String>,
    /// Eko's message.
    pub message: Option<String>,
}

impl fmt::Debug for EkoLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EkoLink")
            .field("reference_id", &self.reference_id)
            .field("url", &url_for_display(&self.url))
            .field("client_ref_id", &self.client_ref_id)
            .field("document_requested", &self.document_requested)
            .field(
                "redirect_url",
                &self.redirect_url.as_deref().map(url_for_display),
            )
            .field("verification_id", &self.verification_id)
            .field("upstream_status", &self.upstream_status)
            .field("message", &self.message.as_deref().map(MaskedDebug))
            .finish()
    }
}

/// Where a DigiLocker verification stands.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerificationState {
    /// The user has not finished the DigiLocker journey yet.
    Pending,
    /// The user consented; identity details are available.
    Consented,
    /// The user refused consent (upstream `CONSENT_DENIED`).
    Denied,
    /// The link or the consent session expired (upstream `EXPIRED`).
    Expired,
    /// An upstream status this crate does not know, as sent.
    Unknown(String),
}

impl VerificationState {
    /// Whether the state will not change any more (consented, denied or
    /// expired).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            VerificationState::Consented | VerificationState::Denied | VerificationState::Expired
        )
    }

    /// Map an upstream status word (`PENDING`, `AUTHENTICATED`, `EXPIRED`,
    /// `CONSENT_DENIED`, and close spellings) to a state.
    pub fn from_upstream(s: &str) -> Self {
        let up = s.trim().to_ascii_uppercase().replace([' ', '-'], "_");
        match up.as_str() {
            "PENDING" | "IN_PROGRESS" | "INITIATED" => VerificationState::Pending,
            "AUTHENTICATED" | "SUCCESS" | "CONSENTED" | "COMPLETED" => VerificationState::Consented,
            "CONSENT_DENIED" | "DENIED" | "REJECTED" => VerificationState::Denied,
            "EXPIRED" => VerificationState::Expired,
            _ => VerificationState::Unknown(s.trim().to_string()),
        }
    }
}

impl fmt::Display for VerificationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerificationState::Pending => f.write_str("pending"),
            VerificationState::Consented => f.write_str("consented"),
            VerificationState::Denied => f.write_str("denied"),
            VerificationState::Expired => f.write_str("expired"),
            VerificationState::Unknown(s) => write!(f, "unknown ({s})"),
        }
    }
}

/// A date of birth as Eko sent it: the crate's one
/// [`DateOfBirth`](crate::vocab::DateOfBirth), read with
/// [`from_documented_text`](crate::vocab::DateOfBirth::from_documented_text).
pub type Dob = crate::vocab::DateOfBirth;

/// Identity details from the verification status (all optional: Eko sends
/// `{}` or a partial object while consent is pending).
///
/// `Debug` hides the name and the date of birth and masks the mobile.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserDetails {
    /// Name.
    pub name: Option<String>,
    /// Date of birth.
    pub dob: Option<Dob>,
    /// Gender as sent (`M`/`F`/`T` or `Male`...).
    pub gender: Option<String>,
    /// e-Aadhaar availability as sent (`Y`/`N` or `Available`).
    pub eaadhaar: Option<String>,
    /// Mobile number, masked in `Debug`.
    pub mobile: Option<Masked>,
}

impl fmt::Debug for UserDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserDetails")
            .field("name", &self.name.as_ref().map(|_| "[masked]"))
            .field("dob", &self.dob)
            .field("gender", &self.gender)
            .field("eaadhaar", &self.eaadhaar)
            .field("mobile", &self.mobile)
            .finish()
    }
}

impl UserDetails {
    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.dob.is_none()
            && self.gender.is_none()
            && self.eaadhaar.is_none()
            && self.mobile.is_none()
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl From<wire::UserDetails> for UserDetails {
    fn from(u: wire::UserDetails) -> Self {
        UserDetails {
            name: non_empty(u.name),
            dob: non_empty(u.dob).map(|d| Dob::from_documented_text(&d)),
            gender: non_empty(u.gender),
            eaadhaar: non_empty(u.eaadhaar),
            mobile: non_empty(u.mobile).map(Masked::new),
        }
    }
}

/// One entry of `document_consent`, from either documented form: a plain
/// string (`"Y"`, or a document type such as `"AADHAAR"`) or an object
/// `{document_type, consent}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConsentEntry {
    /// The document the entry is about, when stated.
    pub document_type: Option<String>,
    /// The consent value as sent (`Y`, `N`...), when stated.
    pub consent: Option<String>,
}

impl ConsentEntry {
    /// Whether consent was given: `Some(true)` for Y/YES/TRUE/GRANTED/
    /// CONSENTED, `Some(false)` for N/NO/FALSE/DENIED/REJECTED, `None` when
    /// the value is unknown. A bare document type (the upstream form, a list
    /// of consented documents) counts as given.
    pub fn granted(&self) -> Option<bool> {
        match &self.consent {
            Some(c) => consent_word(c),
            None => self.document_type.as_ref().map(|_| true),
        }
    }
}

fn consent_word(s: &str) -> Option<bool> {
    match s.trim().to_ascii_uppercase().as_str() {
        "Y" | "YES" | "TRUE" | "GRANTED" | "CONSENTED" | "1" => Some(true),
        "N" | "NO" | "FALSE" | "DENIED" | "REJECTED" | "CONSENT_DENIED" | "0" => Some(false),
        _ => None,
    }
}

impl From<wire::DocumentConsent> for ConsentEntry {
    fn from(c: wire::DocumentConsent) -> Self {
        match c {
            wire::DocumentConsent::String(s) => {
                if consent_word(&s).is_some() {
                    ConsentEntry {
                        document_type: None,
                        consent: Some(s),
                    }
                } else {
                    ConsentEntry {
                        document_type: Some(s),
                        consent: None,
                    }
                }
            }
            wire::DocumentConsent::DocumentConsentEntry(e) => ConsentEntry {
                document_type: e.document_type,
                consent: e.consent,
            },
        }
    }
}

/// The verification status of one reference.
///
/// `Debug` hides the user's details (see [`UserDetails`]) and masks the
/// message.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct EkoStatus {
    /// The reference asked about.
    pub reference_id: ReferenceId,
    /// Where the verification stands (see the module docs for how it is
    /// derived).
    pub state: VerificationState,
    /// Identity details; `None` while Eko sends none (pending).
    pub user_details: Option<UserDetails>,
    /// Documents requested in the session.
    pub document_requested: Vec<String>,
    /// Consent entries, normalised from strings or objects.
    pub document_consent: Vec<ConsentEntry>,
    /// `verification_id`, when passed through.
    pub verification_id: Option<String>,
    /// Upstream status word, when passed through.
    pub upstream_status: Option<String>,
    /// Eko's message.
    pub message: Option<String>,
    /// Eko `status` (non-zero when the state was read from an error
    /// envelope such as "Verification pending").
    pub code: i64,
    /// Eko `response_status_id`.
    pub response_status_id: Option<i64>,
    /// Eko `response_type_id`.
    pub response_type_id: Option<i64>,
}

impl fmt::Debug for EkoStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EkoStatus")
            .field("reference_id", &self.reference_id)
            .field("state", &self.state)
            .field("user_details", &self.user_details)
            .field("document_requested", &self.document_requested)
            .field("document_consent", &self.document_consent)
            .field("verification_id", &self.verification_id)
            .field("upstream_status", &self.upstream_status)
            .field("message", &self.message.as_deref().map(MaskedDebug))
            .field("code", &self.code)
            .field("response_status_id", &self.response_status_id)
            .field("response_type_id", &self.response_type_id)
            .finish()
    }
}

impl EkoStatus {
    /// Whether the user has not finished yet.
    pub fn is_pending(&self) -> bool {
        self.state == VerificationState::Pending
    }
}

/// An address, normalised from the `documents` shape (`village_or_city`,
/// `district`) and the flat shape (`split_address` with `vtc`, `dist`,
/// `subdist`, `po`): the crate's one [`Address`](crate::vocab::Address).
pub type EkoAddress = crate::vocab::Address;

fn address<'a>(parts: impl IntoIterator<Item = (&'a str, Option<String>)>) -> EkoAddress {
    EkoAddress::from_parts(parts.into_iter().filter_map(|(k, v)| Some((k, v?))))
}

impl From<wire::DocumentAddress> for EkoAddress {
    fn from(a: wire::DocumentAddress) -> Self {
        address([
            ("house", a.house),
            ("street", a.street),
            ("village_or_city", a.village_or_city),
            ("district", a.district),
            ("state", a.state),
            ("pincode", a.pincode),
        ])
    }
}

impl From<wire::SplitAddress> for EkoAddress {
    fn from(a: wire::SplitAddress) -> Self {
        address([
            ("house", a.house),
            ("street", a.street),
            ("landmark", a.landmark),
            ("vtc", a.vtc),
            ("po", a.po),
            ("subdist", a.subdist),
            ("dist", a.dist),
            ("state", a.state),
            ("pincode", a.pincode),
            ("country", a.country),
        ])
    }
}

/// Which documented response shape a document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DocumentShape {
    /// An entry of `data.documents[]` (Eko platform docs).
    List,
    /// The flat record in `data` (`name`, `uid`, `split_address`,
    /// `photo_link`; Eko markdown docs).
    Flat,
}

/// One verified document, from either documented response shape.
///
/// `Debug` hides the name, date of birth, care-of line, address and photo,
/// and masks the Aadhaar number.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct EkoDocument {
    /// The document type.
    pub doc_type: EkoDocType,
    /// Name on the document.
    pub name: Option<String>,
    /// Date of birth.
    pub dob: Option<Dob>,
    /// Gender as sent.
    pub gender: Option<String>,
    /// Care-of line (flat shape only).
    pub care_of: Option<String>,
    /// The (masked) Aadhaar number: `masked_aadhaar` or `uid`. Masked again
    /// in `Debug` in case Eko ever sends it in full.
    pub aadhaar: Option<Masked>,
    /// Address.
    pub address: Option<EkoAddress>,
    /// Photograph (`photo` or `photo_link`).
    pub photo: Option<Photo>,
    /// Issue date as sent.
    pub issue_date: Option<String>,
    /// Which shape it came from.
    pub shape: DocumentShape,
}

impl fmt::Debug for EkoDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EkoDocument")
            .field("doc_type", &self.doc_type)
            .field("name", &self.name.as_ref().map(|_| "[masked]"))
            .field("dob", &self.dob)
            .field("gender", &self.gender)
            .field("care_of", &self.care_of.as_ref().map(|_| "[masked]"))
            .field("aadhaar", &self.aadhaar)
            .field("address", &self.address)
            .field("photo", &self.photo)
            .field("issue_date", &self.issue_date)
            .field("shape", &self.shape)
            .finish()
    }
}

impl EkoDocument {
    pub(crate) fn from_list(d: wire::EkoDocument, fallback: &EkoDocType) -> Self {
        EkoDocument {
            doc_type: non_empty(d.document_type)
                .map(|t| EkoDocType::from(t.as_str()))
                .unwrap_or_else(|| fallback.clone()),
            name: non_empty(d.name),
            dob: non_empty(d.dob).map(|s| Dob::from_documented_text(&s)),
            gender: non_empty(d.gender),
            care_of: None,
            aadhaar: non_empty(d.masked_aadhaar).map(Masked::new),
            address: d.address.map(EkoAddress::from).filter(|a| !a.is_empty()),
            photo: d.photo.as_deref().and_then(Photo::parse),
            issue_date: non_empty(d.issue_date),
            shape: DocumentShape::List,
        }
    }

    /// The flat record of `data`, when it has any document field.
    pub(crate) fn from_flat(d: &wire::GetDocumentData, doc_type: &EkoDocType) -> Option<Self> {
        let doc = EkoDocument {
            doc_type: doc_type.clone(),
            name: non_empty(d.name.clone()),
            dob: non_empty(d.dob.clone()).map(|s| Dob::from_documented_text(&s)),
            gender: non_empty(d.gender.clone()),
            care_of: non_empty(d.care_of.clone()),
            aadhaar: non_empty(d.uid.clone()).map(Masked::new),
            address: d
                .split_address
                .clone()
                .map(EkoAddress::from)
                .filter(|a| !a.is_empty()),
            photo: d.photo_link.as_deref().and_then(Photo::parse),
            issue_date: None,
            shape: DocumentShape::Flat,
        };
        let any = doc.name.is_some()
            || doc.dob.is_some()
            || doc.aadhaar.is_some()
            || doc.address.is_some()
            || doc.photo.is_some()
            || doc.care_of.is_some();
        any.then_some(doc)
    }
}

/// What Get Document returned.
///
/// `Debug` shows the documents as [`EkoDocument`] does, the `xml_file`
/// link redacted and the message masked.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct EkoDocuments {
    /// The reference asked about.
    pub reference_id: ReferenceId,
    /// The verification asked about.
    pub verification_id: String,
    /// Overall `verification_status` (e.g. `SUCCESS`), when sent.
    pub verification_status: Option<String>,
    /// The documents, at least one.
    pub documents: Vec<EkoDocument>,
    /// Link to the signed Aadhaar XML, when passed through (a bearer link,
    /// so it is redacted in `Debug`).
    pub xml_file: Option<Secret>,
    /// Eko's message.
    pub message: Option<String>,
}

impl fmt::Debug for EkoDocuments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EkoDocuments")
            .field("reference_id", &self.reference_id)
            .field("verification_id", &self.verification_id)
            .field("verification_status", &self.verification_status)
            .field("documents", &self.documents)
            .field("xml_file", &self.xml_file)
            .field("message", &self.message.as_deref().map(MaskedDebug))
            .finish()
    }
}

impl EkoDocuments {
    /// The first document of a type.
    pub fn get(&self, doc_type: &EkoDocType) -> Option<&EkoDocument> {
        self.documents.iter().find(|d| &d.doc_type == doc_type)
    }

    /// The Aadhaar document, when returned.
    pub fn aadhaar(&self) -> Option<&EkoDocument> {
        self.get(&EkoDocType::Aadhaar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_types_are_trimmed_and_upper_cased() {
        assert_eq!(EkoDocType::from(" aadhaar "), EkoDocType::Aadhaar);
        assert_eq!(EkoDocType::from("pan"), EkoDocType::Other("PAN".into()));
        assert_eq!(EkoDocType::from("pan").as_str(), "PAN");
        assert_eq!(EkoDocType::Aadhaar.to_string(), "AADHAAR");
        assert!(" ".parse::<EkoDocType>().is_err());
        assert_eq!(
            "Aadhaar".parse::<EkoDocType>().unwrap(),
            EkoDocType::Aadhaar
        );
        assert!(EkoDocType::Aadhaar.is_known() && !EkoDocType::from("x").is_known());
    }

    #[test]
    fn dob_forms() {
        assert_eq!(
            Dob::from_documented_text("15-08-1990").date,
            chrono::NaiveDate::from_ymd_opt(1990, 8, 15)
        );
        assert_eq!(
            Dob::from_documented_text("1990-05-15").date,
            chrono::NaiveDate::from_ymd_opt(1990, 5, 15)
        );
        assert_eq!(Dob::from_documented_text("31-02-1990").date, None);
        assert_eq!(Dob::from_documented_text("15/08/1990").date, None);
        assert_eq!(Dob::from_documented_text("1990").raw, "1990");
    }

    #[test]
    fn photo_forms() {
        assert!(matches!(
            Photo::parse("/9j/4AAQSkZJRgABAQ"),
            Some(Photo::Inline(_))
        ));
        assert!(matches!(
            Photo::parse("https://x.example/p.jpg"),
            Some(Photo::Link(_))
        ));
        assert!(matches!(
            Photo::parse("not base64!"),
            Some(Photo::Unreadable(_))
        ));
        assert_eq!(Photo::parse("  "), None);
        let p = Photo::parse("data:image/jpeg;base64,/9j/4AAQ").unwrap();
        assert_eq!(p.bytes().map(<[u8]>::len), Some(6));
        assert_eq!(format!("{p:?}"), "Photo::Inline(<6 bytes>)");
    }

    #[test]
    fn reference_id_forms() {
        let a: ReferenceId = serde_json::from_str("123456").unwrap();
        let b: ReferenceId = serde_json::from_str("\"123456\"").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "123456");
        assert_eq!(a.as_i64(), Some(123456));
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"123456\"");
    }

    #[test]
    fn states() {
        assert_eq!(
            VerificationState::from_upstream("consent_denied"),
            VerificationState::Denied
        );
        assert_eq!(
            VerificationState::from_upstream("AUTHENTICATED"),
            VerificationState::Consented
        );
        assert_eq!(
            VerificationState::from_upstream("WEIRD"),
            VerificationState::Unknown("WEIRD".into())
        );
    }
}
